using System.Diagnostics;
using System.Net;
using TixTrigger.Protocol;
using TixTrigger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// Issue 14: two independent services (two single nodes, two clusters that know nothing of each
/// other), CLIENT_EXPIRATION_SECONDS=10, and one datagram forged from B's UDP endpoint to A. A then
/// pings B, and each of A's pings is a datagram to B from A's endpoint: a heartbeat, as far as B
/// can tell. Neither may ping the other in the last 10 s of a 70 s run. Watched without joining in:
/// a packet capture of the datagrams between the two ports, and each node's own ping counter.
/// </summary>
[Collection(LoopRunsCollection.Name)]
public sealed class TwoServicesLoopTest(LoopRuns runs, ITestOutputHelper output)
{
    [Fact]
    public async Task Two_services_started_on_each_other_by_one_forged_datagram_ping_each_other_no_more_in_the_last_10_s_of_70()
    {
        var run = await runs.TwoServices;
        output.WriteLine(run.Report);
        Assert.True(run.BothAlive, "a node exited during the run: its silence proves nothing\n" + run.Report);
        Assert.True(run.AToB.Count > 0, "A never pinged B: the forged datagram did not register B, and the test proves nothing\n" + run.Report);
        Assert.True(run.AToB.InLastTenSeconds == 0 && run.BToA.InLastTenSeconds == 0, run.Report);
        // The nodes' own counters say the same, when they could be read (the capture alone decides otherwise).
        Assert.True(run.PingsSentInLastTenSecondsByA is null or 0 && run.PingsSentInLastTenSecondsByB is null or 0, run.Report);
    }

    public sealed class Run
    {
        private static readonly TimeSpan Duration = TimeSpan.FromSeconds(70);
        private static readonly TimeSpan LastStretch = TimeSpan.FromSeconds(10);
        private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

        /// <summary>Datagrams seen one way: how many, the last one's time after the forged datagram, and how many in the last 10 s.</summary>
        public sealed record Direction(int Count, double? LastSeconds, int InLastTenSeconds)
        {
            public override string ToString() => $"{Count} datagrams, the last at {LastSeconds?.ToString("F2") ?? "-"} s, {InLastTenSeconds} in the last 10 s";
        }

        public Direction AToB { get; private init; } = null!;

        public Direction BToA { get; private init; } = null!;

        /// <summary>From A's own counter; null if its metrics could not be read.</summary>
        public double? PingsSentInLastTenSecondsByA { get; private init; }

        public double? PingsSentInLastTenSecondsByB { get; private init; }

        public bool BothAlive { get; private init; }

        public string Report { get; private init; } = "";

        public static async Task<Run> RunAsync(SingleNode a, SingleNode b)
        {
            var endpointA = new IPEndPoint(IPAddress.Loopback, a.UdpPort);
            var endpointB = new IPEndPoint(IPAddress.Loopback, b.UdpPort);
            using var sniffer = new UdpSniffer(a.UdpPort, b.UdpPort);
            using var forger = new ForgedDatagrams();
            // The capture has no times of its own: counted every 250 ms, each direction's last change is when its last datagram was seen.
            int seenAToB = 0, seenBToA = 0;
            double? lastAToB = null, lastBToA = null;
            int aToBAtStretch = 0, bToAAtStretch = 0;
            (NodeMetrics? Metrics, string Problem)? aAtStretch = null, bAtStretch = null;

            long start = Stopwatch.GetTimestamp();
            forger.Send(from: endpointB, to: endpointA, Ping.Bytes);
            long stretch = start + Timeline.Ticks(Duration - LastStretch), end = start + Timeline.Ticks(Duration);
            for (long poll = start; ; poll += Timeline.Ticks(Poll))
            {
                await Timeline.UntilAsync(poll);
                double now = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
                var seen = sniffer.Between;
                // The forged datagram is B to A too, as the capture sees it: it is no ping of B's, so it is not counted.
                int aToB = seen.Count(d => d.From.Port == a.UdpPort && d.To.Port == b.UdpPort);
                int bToA = seen.Count(d => d.From.Port == b.UdpPort && d.To.Port == a.UdpPort) - 1;
                if (aToB != seenAToB) (seenAToB, lastAToB) = (aToB, now);
                if (bToA > seenBToA) (seenBToA, lastBToA) = (bToA, now);
                if (poll >= stretch && aAtStretch is null)
                {
                    (aToBAtStretch, bToAAtStretch) = (aToB, Math.Max(0, bToA));
                    aAtStretch = await NodeMetrics.TryScrapeAsync(a);
                    bAtStretch = await NodeMetrics.TryScrapeAsync(b);
                }
                if (poll >= end) break;
            }
            var aAtEnd = await NodeMetrics.TryScrapeAsync(a);
            var bAtEnd = await NodeMetrics.TryScrapeAsync(b);
            double? InLastStretch((NodeMetrics? Metrics, string Problem) atEnd, (NodeMetrics? Metrics, string Problem)? atStretch) =>
                atEnd.Metrics is null || atStretch?.Metrics is null ? null : atEnd.Metrics.PingsSent - atStretch.Value.Metrics.PingsSent;
            string Node((NodeMetrics? Metrics, string Problem) atEnd, double? inLastStretch) => atEnd.Metrics is null
                ? atEnd.Problem
                : $"{atEnd.Metrics.PingsSent} pings sent, {inLastStretch?.ToString() ?? "?"} in the last 10 s, {atEnd.Metrics.Clients} clients at the end, drops: {atEnd.Metrics.Drops()}";

            var run = new Run
            {
                AToB = new Direction(seenAToB, lastAToB, seenAToB - aToBAtStretch),
                BToA = new Direction(seenBToA, lastBToA, seenBToA - bToAAtStretch),
                PingsSentInLastTenSecondsByA = InLastStretch(aAtEnd, aAtStretch),
                PingsSentInLastTenSecondsByB = InLastStretch(bAtEnd, bAtStretch),
                BothAlive = !a.Process.HasExited && !b.Process.HasExited,
                Report = $"two services, expiry 10 s, {Duration.TotalSeconds:F0} s after one datagram forged from B {endpointB} to A {endpointA}:\n" +
                    $"  A to B: {new Direction(seenAToB, lastAToB, seenAToB - aToBAtStretch)}\n" +
                    $"  B to A: {new Direction(seenBToA, lastBToA, seenBToA - bToAAtStretch)}\n" +
                    $"  A: {Node(aAtEnd, InLastStretch(aAtEnd, aAtStretch))}\n" +
                    $"  B: {Node(bAtEnd, InLastStretch(bAtEnd, bAtStretch))}",
            };
            Console.WriteLine(run.Report);
            return run;
        }
    }
}
