using System.Diagnostics;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// What a client kept of its pings over a window: the pings it got from a second after its first
/// heartbeat (its first ping is due within about a second) to the end, against the whole seconds
/// that window lasted, and the pings missing from its silences.
/// </summary>
/// <param name="Pings">Pings received in the window.</param>
/// <param name="Seconds">Whole seconds the window lasted: one ping is due in each.</param>
/// <param name="Missed">
/// Pings missing from silences over 1.75 s (one of about two seconds is one ping missed), the end of
/// the window included. Not 1.5 s: the echo rule may move a client's pings by half a second, once,
/// which is one interval of 1.5 s and no ping missed.
/// </param>
/// <param name="OverOneAndAHalf">Intervals longer than 1.5 s, as the issue counts them.</param>
/// <param name="LastPingSeconds">The last ping, in seconds after the run's start; null if none came.</param>
public sealed record PingShare(int Pings, int Seconds, int Missed, int OverOneAndAHalf, double? LastPingSeconds)
{
    public double Share => Seconds == 0 ? 1 : (double)Pings / Seconds;

    public static PingShare Of(IReadOnlyList<PingClient.Received> pings, long firstHeartbeat, long end, long runStart)
    {
        long from = firstHeartbeat + Stopwatch.Frequency;
        var times = pings.Select(p => p.Timestamp).Where(t => t >= from && t <= end).Order().ToList();
        int missed = 0, overOneAndAHalf = 0;
        long previous = from;
        foreach (long time in times)
        {
            double interval = SecondsOf(time - previous);
            if (previous != from && interval > 1.5) overOneAndAHalf++;
            // From the window's start to its first ping, up to a second is due; after that, one a second.
            missed += previous == from ? (int)Math.Floor(interval) : MissedIn(interval);
            previous = time;
        }
        missed += (int)Math.Floor(SecondsOf(end - previous));
        double? last = pings.Count == 0 ? null : SecondsOf(pings.Max(p => p.Timestamp) - runStart);
        return new PingShare(times.Count, (int)Math.Floor(SecondsOf(end - from)), missed, overOneAndAHalf, last);
    }

    private static int MissedIn(double interval) => interval > 1.75 ? (int)Math.Round(interval) - 1 : 0;

    private static double SecondsOf(long ticks) => ticks / (double)Stopwatch.Frequency;

    public override string ToString() =>
        $"{Pings} pings of {Seconds} s ({Share:P1}), {Missed} missed, {OverOneAndAHalf} intervals > 1.5 s, last at {LastPingSeconds?.ToString("F1") ?? "-"} s";
}
