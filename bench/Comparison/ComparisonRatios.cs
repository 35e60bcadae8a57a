namespace TixTrigger.Bench.Comparison;

/// <summary>Service over reference, each measured in the same invocation under the same load; null where the reference's figure is zero.</summary>
internal sealed class ComparisonRatios(SubjectFigures service, SubjectFigures reference)
{
    public double? OnTime => Ratio(service.Load.WithinToleranceFraction, reference.Load.WithinToleranceFraction);

    public double? FirstPingP50 => Ratio(service.Load.FirstPingP50Ms, reference.Load.FirstPingP50Ms);

    public double? FirstPingP99 => Ratio(service.Load.FirstPingP99Ms, reference.Load.FirstPingP99Ms);

    public double? CpuPerThousandPings => Ratio(service.CpuCoresPerThousandPingsPerSecond, reference.CpuCoresPerThousandPingsPerSecond);

    /// <summary>The per-client CPU: over idle, per 1,000 pings/s.</summary>
    public double? CpuOverIdlePerThousandPings => Ratio(service.CpuOverIdlePerThousandPingsPerSecond, reference.CpuOverIdlePerThousandPingsPerSecond);

    public double? IdleCpu => Ratio(service.IdleCpuCores, reference.IdleCpuCores);

    public double? IdleRss => Ratio(service.IdleRssKib, reference.IdleRssKib);

    public double? RssPerClient => Ratio(service.RssPerClientKib, reference.RssPerClientKib);

    private static double? Ratio(double? service, double? reference) =>
        service is { } s && reference is { } r && r > 0 ? Math.Round(s / r, 4) : null;
}
