using System.Diagnostics;

namespace TixTrigger.Bench.Measurement;

/// <summary>
/// Conversions for Stopwatch timestamps. The Stopwatch is the system's monotonic clock, shared by
/// every process on the machine, so the coordinator can name one start instant for all workers.
/// </summary>
internal static class StopwatchTime
{
    public static long FromSeconds(double seconds) => (long)(seconds * Stopwatch.Frequency);

    public static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
