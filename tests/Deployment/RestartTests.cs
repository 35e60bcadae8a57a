using System.Diagnostics;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Deployment;

/// <summary>
/// A restart keeps every client (STATE_DIR): clients that heartbeated once are pinged by the new
/// process within 3 s of it listening, with no new heartbeat, and every second after, whether the
/// node was stopped (SIGTERM), the whole cluster was, or the gateway crashed with its silos.
/// </summary>
public sealed class RestartTests
{
    private const int Clients = 200;

    private static readonly TimeSpan Resume = TimeSpan.FromSeconds(3);

    /// <summary>Long enough after a heartbeat that a crash (no final save) finds the client in the file: the saver writes within a second of a change.</summary>
    private static readonly TimeSpan Saved = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_single_node_stopped_and_started_again_pings_every_client_within_3_s_of_listening_and_every_second_after()
    {
        string state = Directory.CreateTempSubdirectory("tixtrigger-restart-").FullName;
        try
        {
            var settings = new Dictionary<string, string> { ["STATE_DIR"] = state };
            using var fleet = new PingFleet(Clients);
            int port;
            using (var first = await SingleNode.StartAsync(settings))
            {
                port = first.UdpPort;
                fleet.Heartbeat(first.Udp);
                Assert.True(await Eventually.True(() => fleet.AllPingedSince(0), TimeSpan.FromSeconds(10)), $"{fleet.PingedSince(0)} of {Clients} pinged before the restart");
                await first.Process.TerminateAsync(TimeSpan.FromSeconds(30));
            }
            using var second = await SingleNode.StartAsync(settings, port);
            await AssertResumedAsync(fleet, second.Process, second.Process.Describe);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task A_whole_cluster_stopped_and_started_again_pings_every_client_within_3_s_of_each_gateway_listening()
    {
        await using var cluster = await LocalCluster.StartAsync(silos: 2, gateways: ["a", "b"]);
        var a = cluster.Gateways["a"];
        var b = cluster.Gateways["b"];
        using var fleetA = new PingFleet(Clients / 2);
        using var fleetB = new PingFleet(Clients / 2);
        fleetA.Heartbeat(a.Endpoint);
        fleetB.Heartbeat(b.Endpoint);
        Assert.True(await Eventually.True(() => fleetA.AllPingedSince(0) && fleetB.AllPingedSince(0), TimeSpan.FromSeconds(10)));

        // As an operator stops everything (Redis stays: it is the cluster's membership, not the clients' store).
        await Task.WhenAll(a.Process.TerminateAsync(TimeSpan.FromSeconds(30)), b.Process.TerminateAsync(TimeSpan.FromSeconds(30)));
        await Task.WhenAll(cluster.Silos.Select(silo => silo.TerminateAsync(TimeSpan.FromSeconds(30))));

        await Task.WhenAll(Enumerable.Range(0, cluster.Silos.Count).Select(cluster.StartSiloInPlaceAsync));
        var restarted = await Task.WhenAll(cluster.StartGatewayAsync("a", a.Port), cluster.StartGatewayAsync("b", b.Port));
        await Task.WhenAll(
            AssertResumedAsync(fleetA, restarted[0].Process, cluster.Describe),
            AssertResumedAsync(fleetB, restarted[1].Process, cluster.Describe));
    }

    [Fact]
    public async Task A_gateway_killed_with_its_silo_and_started_again_pings_every_client_within_3_s_of_listening()
    {
        await using var cluster = await LocalCluster.StartAsync(silos: 1, gateways: ["a"]);
        var a = cluster.Gateways["a"];
        using var fleet = new PingFleet(Clients);
        fleet.Heartbeat(a.Endpoint);
        Assert.True(await Eventually.True(() => fleet.AllPingedSince(0), TimeSpan.FromSeconds(10)));
        await Task.Delay(Saved);

        a.Process.Kill();
        cluster.Silos[0].Kill();
        // No cluster at all: what the gateway pings, it has from its own file.
        var restarted = await cluster.StartGatewayAsync("a", a.Port, connected: false);
        await AssertResumedAsync(fleet, restarted.Process, cluster.Describe);
        // (A new silo in place of the only one, killed, would wait minutes for the dead one's membership entry: the other tests cover reconnecting.)
    }

    /// <summary>Every client pinged within 3 s of the process listening, then each second for 5 s (no gap near 2 s: a missed ping).</summary>
    private static async Task AssertResumedAsync(PingFleet fleet, NodeProcess process, Func<string> describe)
    {
        long listening = await process.WhenOutputAsync("listening on udp", TimeSpan.FromSeconds(60)) ?? throw new InvalidOperationException("not listening: " + describe());
        long deadline = listening + (long)(Resume.TotalSeconds * Stopwatch.Frequency);
        await Eventually.True(() => fleet.Clients.All(c => c.Pings.Any(p => p.Timestamp >= listening && p.Timestamp <= deadline)), Resume + TimeSpan.FromSeconds(1));
        int resumed = fleet.Clients.Count(c => c.Pings.Any(p => p.Timestamp >= listening && p.Timestamp <= deadline));
        Assert.True(resumed == fleet.Clients.Count, $"{resumed} of {fleet.Clients.Count} clients pinged within 3 s of the new process listening\n{describe()}");

        long from = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(5));
        long to = Stopwatch.GetTimestamp();
        var gap = fleet.LongestGap(from, to);
        Assert.True(gap < TimeSpan.FromSeconds(1.75), $"longest gap after resuming: {gap.TotalMilliseconds:F0} ms\n{describe()}");
        var (onTime, intervals) = fleet.IntervalsOnTime(from, to, PingAssertions.IntervalTolerance);
        Assert.True(onTime >= intervals * 0.99, $"{onTime} of {intervals} intervals on time after resuming");
    }
}
