namespace TixTrigger.Bench.Protocol;

/// <summary>A histogram as it crosses the process boundary: only the values that were recorded, with their counts.</summary>
internal sealed record HistogramData
{
    public long Count { get; init; }

    public double MinMs { get; init; }

    public double MaxMs { get; init; }

    public long[] Micros { get; init; } = [];

    public long[] Counts { get; init; } = [];
}
