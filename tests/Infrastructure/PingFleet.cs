using System.Diagnostics;
using System.Net;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>Many independent phones, and the measurements every failover test makes on them.</summary>
public sealed class PingFleet : IDisposable
{
    public PingFleet(int count)
    {
        Clients = Enumerable.Range(0, count).Select(_ => new PingClient()).ToList();
    }

    public List<PingClient> Clients { get; }

    public void Heartbeat(IPEndPoint service)
    {
        foreach (var client in Clients) client.Heartbeat(service);
    }

    /// <summary>The longest time without a ping, over all clients, between <paramref name="from"/> and <paramref name="to"/> (Stopwatch timestamps).</summary>
    public TimeSpan LongestGap(long from, long to) => Clients.Max(client => LongestGap(client, from, to));

    public static TimeSpan LongestGap(PingClient client, long from, long to)
    {
        long previous = from, longest = 0;
        foreach (var ping in client.Pings.Where(p => p.Timestamp >= from && p.Timestamp <= to))
        {
            longest = Math.Max(longest, ping.Timestamp - previous);
            previous = ping.Timestamp;
        }
        longest = Math.Max(longest, to - previous);
        return TimeSpan.FromSeconds(longest / (double)Stopwatch.Frequency);
    }

    /// <summary>
    /// Intervals between consecutive pings to the same client, over all clients, that end between
    /// <paramref name="from"/> and <paramref name="to"/> (Stopwatch timestamps): how many there were,
    /// and how many within 1000 ms ± <paramref name="tolerance"/>. A silence at the end of the window
    /// that is already too long counts as a late interval too.
    /// </summary>
    public (int OnTime, int Intervals) IntervalsOnTime(long from, long to, TimeSpan tolerance)
    {
        int onTime = 0, intervals = 0;
        long low = (long)((1 - tolerance.TotalSeconds) * Stopwatch.Frequency), high = (long)((1 + tolerance.TotalSeconds) * Stopwatch.Frequency);
        foreach (var client in Clients)
        {
            var pings = client.Pings.Select(p => p.Timestamp).Where(t => t <= to).ToList();
            int first = pings.FindIndex(t => t >= from);
            for (int i = Math.Max(1, first < 0 ? pings.Count : first); i < pings.Count; i++)
            {
                intervals++;
                long interval = pings[i] - pings[i - 1];
                if (interval >= low && interval <= high) onTime++;
            }
            if (pings.Count == 0 || to - pings[^1] > high) intervals++;
        }
        return (onTime, intervals);
    }

    public bool AllPingedSince(long from) => Clients.All(client => client.Pings.Any(p => p.Timestamp >= from));

    public int PingedSince(long from) => Clients.Count(client => client.Pings.Any(p => p.Timestamp >= from));

    public void Dispose() => Clients.ForEach(client => client.Dispose());
}
