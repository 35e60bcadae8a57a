using System.Diagnostics;
using TixTrigger.Bench.Measurement;

namespace TixTrigger.Bench.Worker;

/// <summary>
/// Sends every client's heartbeats on its own schedule (its phase + k × period) from one thread,
/// so a thousand clients cost one thread, not a thousand timers. Stops at the run's end.
/// </summary>
internal sealed class HeartbeatSender(IReadOnlyList<SimulatedClient> clients, RunWindow window, long period)
{
    /// <summary>Sending within this of the due time is on time; waking up for less would only burn the CPU the receivers need.</summary>
    private static readonly long Slack = Stopwatch.Frequency / 1000;

    public long Sent { get; private set; }

    public long Errors { get; private set; }

    public long MaxLateness { get; private set; }

    public void Run()
    {
        var queue = new PriorityQueue<SimulatedClient, long>(clients.Select(client => (client, window.Start + client.Spec.FirstHeartbeatOffset)));
        while (queue.TryDequeue(out var client, out long due))
        {
            if (due >= window.End) return;
            if (client.Spec.StopsHeartbeating && window.StopAt is { } stopAt && due >= stopAt) continue;
            WaitUntil(due);
            MaxLateness = Math.Max(MaxLateness, Stopwatch.GetTimestamp() - due);
            if (client.TrySendHeartbeat()) Sent++;
            else Errors++;
            queue.Enqueue(client, due + period);
        }
    }

    public static void WaitUntil(long due)
    {
        while (true)
        {
            long early = due - Stopwatch.GetTimestamp();
            if (early <= Slack) return;
            Thread.Sleep(Math.Max(1, (int)StopwatchTime.ToMs(early)));
        }
    }
}
