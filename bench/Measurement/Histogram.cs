using HdrHistogram;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Measurement;

/// <summary>
/// Milliseconds, held in microseconds to 4 significant digits: 1000.00 is told from 1000.04 ms,
/// and 1.4 MB a histogram (3 digits would be 0.1 MB but blur 1000 ms by ±0.25). Recording allocates
/// nothing. Values past 10 s count as 10 s; minimum and maximum are kept exactly.
/// </summary>
internal sealed class Histogram
{
    private const long HighestMicros = 10_000_000;

    private readonly LongHistogram _micros = new(1, HighestMicros, 4);
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    public long Count => _micros.TotalCount;

    public double Min => Count == 0 ? 0 : _min;

    public double Max => Count == 0 ? 0 : _max;

    public void Add(double ms)
    {
        _micros.RecordValue(Math.Clamp((long)Math.Round(ms * 1000), 0, HighestMicros));
        _min = Math.Min(_min, ms);
        _max = Math.Max(_max, ms);
    }

    public void Add(HistogramData data)
    {
        if (data.Count == 0) return;
        for (int i = 0; i < data.Micros.Length; i++) _micros.RecordValueWithCount(data.Micros[i], data.Counts[i]);
        _min = Math.Min(_min, data.MinMs);
        _max = Math.Max(_max, data.MaxMs);
    }

    /// <summary>The value below which <paramref name="fraction"/> of the samples fall, to the middle of its bucket.</summary>
    public double Percentile(double fraction) =>
        Count == 0 ? 0 : Math.Clamp(_micros.MedianEquivalentValue(_micros.GetValueAtPercentile(fraction * 100)) / 1000.0, Min, Max);

    public HistogramData ToData()
    {
        // The iteration reuses one value object: copy each step's figures before the next.
        var recorded = _micros.RecordedValues().Select(value => (Micros: value.ValueIteratedTo, Count: value.CountAtValueIteratedTo)).ToArray();
        return new HistogramData(Count, Min, Max, [.. recorded.Select(value => value.Micros)], [.. recorded.Select(value => value.Count)]);
    }
}
