namespace TixTrigger.Bench.Protocol;

/// <summary>A histogram as it crosses the process boundary: only the values that were recorded, with their counts.</summary>
internal sealed record HistogramData(long Count, double MinMs, double MaxMs, long[] Micros, long[] Counts)
{
    public static HistogramData Empty { get; } = new(0, 0, 0, [], []);
}
