using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Measurement;

/// <summary>
/// Fixed 0.1 ms buckets up to 10 s: fine enough to tell 1000.0 from 1000.4 ms, and mergeable
/// across workers without shipping every sample. Minimum and maximum are kept exactly.
/// </summary>
internal sealed class Histogram
{
    private const double BucketMs = 0.1;
    private const int BucketCount = 100_000;

    private readonly long[] _counts = new long[BucketCount];
    private long _overflow;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    public long Count { get; private set; }

    public double Min => Count == 0 ? 0 : _min;

    public double Max => Count == 0 ? 0 : _max;

    public void Add(double ms)
    {
        int bucket = (int)Math.Max(0, ms / BucketMs);
        if (bucket < BucketCount) _counts[bucket]++;
        else _overflow++;
        _min = Math.Min(_min, ms);
        _max = Math.Max(_max, ms);
        Count++;
    }

    public void Add(HistogramData data)
    {
        if (data.Count == 0) return;
        for (int i = 0; i < data.Buckets.Length; i++) _counts[data.Buckets[i]] += data.Counts[i];
        _overflow += data.Overflow;
        _min = Math.Min(_min, data.MinMs);
        _max = Math.Max(_max, data.MaxMs);
        Count += data.Count;
    }

    /// <summary>The value below which <paramref name="fraction"/> of the samples fall, to the bucket's middle.</summary>
    public double Percentile(double fraction)
    {
        if (Count == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(fraction * Count));
        long seen = 0;
        for (int bucket = 0; bucket < BucketCount; bucket++)
        {
            seen += _counts[bucket];
            if (seen >= rank) return Math.Clamp((bucket + 0.5) * BucketMs, Min, Max);
        }
        return Max;
    }

    public HistogramData ToData()
    {
        var buckets = new List<int>();
        var counts = new List<long>();
        for (int bucket = 0; bucket < BucketCount; bucket++)
        {
            if (_counts[bucket] == 0) continue;
            buckets.Add(bucket);
            counts.Add(_counts[bucket]);
        }
        return new HistogramData { Count = Count, MinMs = Min, MaxMs = Max, Overflow = _overflow, Buckets = [.. buckets], Counts = [.. counts] };
    }
}
