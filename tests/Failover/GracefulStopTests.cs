using System.Diagnostics;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Failover;

/// <summary>
/// Nodes stopped the way deployments stop them (SIGTERM): a silo hands its shards and client
/// partitions on with their state, a gateway hands the cluster its newest clients. Nobody needs a
/// refill, no client misses a ping, and who owns each client survives.
/// </summary>
public sealed class GracefulStopTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(silos: 2, gateways: ["a", "b"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static long Now() => Stopwatch.GetTimestamp();

    private static long After(long start, double seconds) => start + (long)(seconds * Stopwatch.Frequency);

    [Fact]
    public async Task A_rolling_restart_of_every_silo_costs_no_ping_no_refill_and_no_owner()
    {
        var a = _cluster.Gateways["a"];
        var b = _cluster.Gateways["b"];
        using var fleet = new PingFleet(1000);
        fleet.Heartbeat(a.Endpoint);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(client, "a") == 1000, TimeSpan.FromSeconds(15)));

        long start = Now();
        for (int silo = 0; silo < _cluster.Silos.Count; silo++)
        {
            var stopped = await _cluster.RestartSiloAsync(silo);
            Assert.True(stopped < TimeSpan.FromSeconds(15), $"silo {silo} took {stopped.TotalSeconds:F1} s to stop");
            await Task.Delay(TimeSpan.FromSeconds(3)); // as an operator waits for the new silo to be healthy and settled
        }
        long restarted = Now();

        // Under 1.75 s: a missed ping is a silence of about 2 s, so this catches one; a ping may be up to 750 ms late on a loaded box (arrivals are the kernel's stamps: only the gateway's lateness counts).
        var gap = fleet.LongestGap(start, restarted);
        Console.WriteLine($"longest gap during the rolling restart: {gap.TotalMilliseconds:F0} ms");
        Assert.True(gap < TimeSpan.FromSeconds(1.75), $"longest gap during the rolling restart: {gap.TotalMilliseconds:F0} ms\n{_cluster.Describe()}");
        Assert.Empty(_cluster.GatewayLines("restarted empty"));

        // The shards kept every client: a gateway that restarts now gets all of them back.
        a.Process.Kill();
        await _cluster.StartGatewayAsync("a", a.Port);
        long listening = Now();
        Assert.True(await Eventually.True(() => fleet.AllPingedSince(listening), TimeSpan.FromSeconds(3)),
            $"{fleet.PingedSince(listening)} of 1000 clients pinged within 3 s of the restarted gateway listening\n{_cluster.Describe()}");

        // The client partitions kept every owner: clients that move now are let go by the old gateway.
        var movers = fleet.Clients.Take(50).ToList();
        long moved = Now();
        foreach (var mover in movers) mover.Heartbeat(b.Endpoint);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.All(movers, mover =>
        {
            int late = mover.Pings.Count(p => p.Timestamp > After(moved, 3) && p.From.Equals(a.Endpoint));
            Assert.True(late == 0, $"{mover.LocalEndpoint} pinged {late} times by its old gateway more than 3 s after moving\n{_cluster.Describe()}");
            Assert.True(mover.Pings.Count(p => p.Timestamp > moved && p.From.Equals(b.Endpoint)) >= 4, $"{mover.LocalEndpoint} not pinged by its new gateway");
        });
    }

    [Fact]
    public async Task A_silo_stopped_while_its_gateway_is_down_hands_on_the_clients_the_gateway_resumes()
    {
        var a = _cluster.Gateways["a"];
        using var fleet = new PingFleet(1000);
        fleet.Heartbeat(a.Endpoint);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(client, "a") == 1000, TimeSpan.FromSeconds(15)));

        a.Process.Kill();
        // Nobody is left to refill the shards this silo held: they must move with their members.
        await _cluster.Silos[0].TerminateAsync(TimeSpan.FromSeconds(30));
        await _cluster.StartGatewayAsync("a", a.Port);
        long listening = Now();

        Assert.True(await Eventually.True(() => fleet.AllPingedSince(listening), TimeSpan.FromSeconds(3)),
            $"{fleet.PingedSince(listening)} of 1000 clients pinged within 3 s of the restarted gateway listening\n{_cluster.Describe()}");
    }

    [Fact]
    public async Task A_gateway_stopped_at_once_after_heartbeats_stops_within_5_s_and_resumes_every_client_when_restarted()
    {
        var a = _cluster.Gateways["a"];
        using var fleet = new PingFleet(200);
        fleet.Heartbeat(a.Endpoint);
        await Task.Delay(TimeSpan.FromMilliseconds(20)); // in its mirror, most not yet registered with the cluster

        var stopping = await a.Process.TerminateAsync(TimeSpan.FromSeconds(10));
        Assert.True(stopping < TimeSpan.FromSeconds(5), $"the gateway took {stopping.TotalSeconds:F1} s to stop");
        Assert.Contains(a.Process.Output, line => line.Contains("stopped", StringComparison.Ordinal));

        await _cluster.StartGatewayAsync("a", a.Port);
        long listening = Now();
        Assert.True(await Eventually.True(() => fleet.AllPingedSince(listening), TimeSpan.FromSeconds(3)),
            $"{fleet.PingedSince(listening)} of 200 clients pinged within 3 s of the restarted gateway listening\n{_cluster.Describe()}");
    }
}
