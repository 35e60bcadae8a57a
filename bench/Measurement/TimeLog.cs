namespace TixTrigger.Bench.Measurement;

/// <summary>
/// Stopwatch timestamps in the order they happened. One writer at a time; read only once the
/// writer has finished (the run is over), so it needs no locking.
/// </summary>
internal sealed class TimeLog(int expectedCount)
{
    private long[] _times = new long[Math.Max(4, expectedCount)];

    public int Count { get; private set; }

    public ReadOnlySpan<long> Times => _times.AsSpan(0, Count);

    public void Add(long timestamp)
    {
        // Sized for the whole run up front so the receive path does not allocate; growing is the rare exception.
        if (Count == _times.Length) Array.Resize(ref _times, _times.Length * 2);
        _times[Count++] = timestamp;
    }
}
