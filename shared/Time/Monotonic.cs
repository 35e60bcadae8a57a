namespace TixTrigger.Time;

/// <summary>
/// Milliseconds on this process's monotonic clock. Deadlines live on it, never on the wall clock:
/// an NTP step or a skew between machines must not end anyone's pings early or late. Between
/// processes, time travels as a duration (a TTL), which each side reads against its own clock.
/// </summary>
public static class Monotonic
{
    public static long NowMs() => Environment.TickCount64;

    /// <summary>What is left until <paramref name="deadlineMs"/>, as a TTL for a message (never negative).</summary>
    public static int TtlMs(long deadlineMs, long nowMs) => (int)Math.Clamp(deadlineMs - nowMs, 0, int.MaxValue);
}
