using System.Diagnostics;
using TixTrigger.Bench.Native;

namespace TixTrigger.Bench.Measurement;

/// <summary>
/// Puts the kernel's receive timestamps (SO_TIMESTAMPNS: CLOCK_REALTIME, in ns) on the Stopwatch's
/// monotonic timeline, where heartbeats and the run's instants live. The offset between the two
/// clocks is measured at start and again every second, so an NTP slew or step during a long run
/// moves the conversion with it; how far it moved is reported.
/// </summary>
internal sealed unsafe class KernelClock
{
    private const int Attempts = 5;

    private static readonly long RecalibrateEvery = Stopwatch.Frequency;

    private readonly long _initialOffset;
    private long _offsetNs;
    private long _calibratedAt;

    public KernelClock()
    {
        _initialOffset = _offsetNs = MeasureOffset();
        _calibratedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>The most the offset moved from its first measurement, in ns.</summary>
    public long MaxDriftNs { get; private set; }

    /// <summary>Measures the offset again if a second has passed since the last time; costs three vDSO clock reads.</summary>
    public void RecalibrateIfDue(long now)
    {
        if (now - _calibratedAt < RecalibrateEvery) return;
        _offsetNs = MeasureOffset();
        _calibratedAt = now;
        MaxDriftNs = Math.Max(MaxDriftNs, Math.Abs(_offsetNs - _initialOffset));
    }

    public long ToStopwatch(long realtimeNs) => FromNanoseconds(realtimeNs - _offsetNs);

    private static long MeasureOffset()
    {
        // Real time read on both sides of the monotonic read: the tightest bracket of a few tries
        // tells the offset to within a microsecond or so, even if this thread is preempted once.
        long bestWidth = long.MaxValue;
        long bestOffset = 0;
        for (int i = 0; i < Attempts; i++)
        {
            long before = RealtimeNs();
            long monotonic = ToNanoseconds(Stopwatch.GetTimestamp());
            long after = RealtimeNs();
            if (after - before >= bestWidth) continue;
            bestWidth = after - before;
            bestOffset = before + (after - before) / 2 - monotonic;
        }
        return bestOffset;
    }

    private static long RealtimeNs()
    {
        TimeSpec now;
        Libc.clock_gettime(Libc.ClockRealtime, &now);
        return now.TotalNanoseconds;
    }

    private static long ToNanoseconds(long ticks) =>
        Stopwatch.Frequency == 1_000_000_000 ? ticks : (long)(ticks * (1e9 / Stopwatch.Frequency));

    private static long FromNanoseconds(long ns) =>
        Stopwatch.Frequency == 1_000_000_000 ? ns : (long)(ns * (Stopwatch.Frequency / 1e9));
}
