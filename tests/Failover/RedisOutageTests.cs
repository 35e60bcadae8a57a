using System.Diagnostics;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Failover;

/// <summary>Redis holds only the membership: while it is away, phones keep their pings and new ones still register.</summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(silos: 2, gateways: ["a", "b"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task During_a_Redis_outage_pinging_never_stops_and_new_clients_register()
    {
        using var early = new PingFleet(50);
        early.Heartbeat(_cluster.Gateways["a"].Endpoint);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(client, "a") == 50, TimeSpan.FromSeconds(10)));

        long stopped = Stopwatch.GetTimestamp();
        await _cluster.Redis.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        using var newcomers = new PingFleet(20);
        newcomers.Heartbeat(_cluster.Gateways["b"].Endpoint);

        Assert.True(await Eventually.True(() => newcomers.Clients.All(c => c.Count >= 2), TimeSpan.FromSeconds(10)), "newcomers were not pinged while Redis was down");
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(client, "b") == 20, TimeSpan.FromSeconds(10)),
            "newcomers did not reach the cluster's shards while Redis was down\n" + _cluster.Describe());
        await _cluster.Redis.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Under 1.75 s: a missed ping is a silence of about 2 s, so this catches one; a ping may be up to 750 ms late on a loaded box (arrivals are the kernel's stamps: only the gateway's lateness counts).
        var gap = early.LongestGap(stopped, Stopwatch.GetTimestamp());
        Console.WriteLine($"longest gap during the Redis outage: {gap.TotalMilliseconds:F0} ms");
        Assert.True(gap < TimeSpan.FromSeconds(1.75), $"longest gap {gap.TotalMilliseconds:F0} ms");
        Assert.Equal(_cluster.Silos.Count, _cluster.Silos.Count(s => !s.HasExited));
    }

    [Fact]
    public async Task A_gateway_started_while_Redis_is_down_listens_at_once_pings_and_registers_its_clients_when_Redis_is_back()
    {
        await _cluster.Redis.StopAsync();
        var started = Stopwatch.StartNew();
        var c = await _cluster.StartGatewayAsync("c", connected: false);
        var listening = started.Elapsed;
        // It listened with no cluster to reach: a gateway whose start waited for the cluster (Orleans' hosted client
        // retries forever while Redis is down) never would. 10 s, not 2.5: the time from the process's start is mostly
        // the runtime's own, 0.8 s on an idle 2-core box and 2.8 s on a shared one; 10 s still catches a start held by a
        // connection attempt of 10 s or more.
        Assert.DoesNotContain(c.Process.Output, line => line.Contains("Connected to the cluster", StringComparison.Ordinal));
        Assert.True(listening < TimeSpan.FromSeconds(10), $"listening {listening.TotalSeconds:F1} s after start");

        using var fleet = new PingFleet(30);
        fleet.Heartbeat(c.Endpoint);
        Assert.True(await Eventually.True(() => fleet.Clients.All(client => client.Count >= 2), TimeSpan.FromSeconds(10)), "not pinged without the cluster");

        await _cluster.Redis.StartAsync();
        var cluster = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(cluster, "c") == 30, TimeSpan.FromSeconds(30)),
            "the clients never reached the shards once Redis was back\n" + _cluster.Describe());
    }
}
