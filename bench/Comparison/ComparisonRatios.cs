namespace TixTrigger.Bench.Comparison;

/// <summary>Service over reference, each measured in the same invocation under the same load; null where the reference's figure is zero.</summary>
internal sealed record ComparisonRatios
{
    public required double? OnTime { get; init; }

    public required double? FirstPingP50 { get; init; }

    public required double? FirstPingP99 { get; init; }

    public required double? CpuPerThousandPings { get; init; }

    /// <summary>The per-client CPU: over idle, per 1,000 pings/s.</summary>
    public required double? CpuOverIdlePerThousandPings { get; init; }

    public required double? IdleCpu { get; init; }

    public required double? IdleRss { get; init; }

    public required double? RssPerClient { get; init; }

    public static ComparisonRatios Of(SubjectFigures service, SubjectFigures reference) => new()
    {
        OnTime = Ratio(service.Load.WithinToleranceFraction, reference.Load.WithinToleranceFraction),
        FirstPingP50 = Ratio(service.Load.FirstPingP50Ms, reference.Load.FirstPingP50Ms),
        FirstPingP99 = Ratio(service.Load.FirstPingP99Ms, reference.Load.FirstPingP99Ms),
        CpuPerThousandPings = Ratio(service.CpuCoresPerThousandPingsPerSecond, reference.CpuCoresPerThousandPingsPerSecond),
        CpuOverIdlePerThousandPings = Ratio(service.CpuOverIdlePerThousandPingsPerSecond, reference.CpuOverIdlePerThousandPingsPerSecond),
        IdleCpu = Ratio(service.IdleCpuCores, reference.IdleCpuCores),
        IdleRss = Ratio(service.IdleRssKib, reference.IdleRssKib),
        RssPerClient = Ratio(service.RssPerClientKib, reference.RssPerClientKib),
    };

    private static double? Ratio(double? service, double? reference) =>
        service is { } s && reference is { } r && r > 0 ? Math.Round(s / r, 4) : null;
}
