namespace TixTrigger.Bench.Protocol;

/// <summary>A histogram as it crosses the process boundary: only the buckets that hold something.</summary>
internal sealed record HistogramData
{
    public long Count { get; init; }

    public double MinMs { get; init; }

    public double MaxMs { get; init; }

    /// <summary>Values beyond the last bucket; only <see cref="MaxMs"/> says how far beyond.</summary>
    public long Overflow { get; init; }

    public int[] Buckets { get; init; } = [];

    public long[] Counts { get; init; } = [];
}
