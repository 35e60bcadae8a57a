using System.Diagnostics;
using Orleans.Runtime;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Failover;

/// <summary>
/// Redis, two silos and two gateways as separate processes, killed the way machines die (SIGKILL).
/// Losing a node must cost no client, and no client more than a short gap in its pings.
/// </summary>
public sealed class ClusterFailoverTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(silos: 2, gateways: ["a", "b"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static long Now() => Stopwatch.GetTimestamp();

    private static long After(long start, double seconds) => start + (long)(seconds * Stopwatch.Frequency);

    private Task<int> MembersOf(IClusterClient client, string gatewayId) => _cluster.MembersOfAsync(client, gatewayId);

    [Fact]
    public async Task Every_silo_is_healthy_and_serves_a_dashboard_that_shows_both_silos_and_the_shard_grains()
    {
        using var fleet = new PingFleet(5);
        fleet.Heartbeat(_cluster.Gateways["a"].Endpoint);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        foreach (int port in _cluster.DashboardPorts)
        {
            var ready = await http.GetAsync($"http://127.0.0.1:{port}/readyz");
            Assert.True(ready.IsSuccessStatusCode, $"/readyz on {port}: {ready.StatusCode}");
            Assert.Contains("active member", await ready.Content.ReadAsStringAsync());

            var page = await http.GetAsync($"http://127.0.0.1:{port}/dashboard/");
            Assert.True(page.IsSuccessStatusCode, $"dashboard page on {port}: {page.StatusCode}");
            Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

            string counters = "";
            Assert.True(await Eventually.True(async () =>
            {
                counters = await http.GetStringAsync($"http://127.0.0.1:{port}/dashboard/DashboardCounters");
                return CountOf(counters, "\"status\":\"Active\"") == 2 && counters.Contains("PingShardGrain", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(20)), $"dashboard on {port} does not show two active silos and the shards: {counters[..Math.Min(600, counters.Length)]}");
        }
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public async Task Killing_one_of_two_silos_loses_no_client_and_no_client_waits_3_s_for_a_ping()
    {
        using var onA = new PingFleet(100);
        using var onB = new PingFleet(100);
        onA.Heartbeat(_cluster.Gateways["a"].Endpoint);
        onB.Heartbeat(_cluster.Gateways["b"].Endpoint);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await MembersOf(client, "a") == 100 && await MembersOf(client, "b") == 100, TimeSpan.FromSeconds(10)),
            "the shards never held all 200 clients");

        // Kill the silo with the most shards: its shards must come back, refilled from the gateways.
        var shardsBySiloPort = await LocalCluster.ShardsPerSiloAsync(client);
        int victim = _cluster.SiloPorts.IndexOf(shardsBySiloPort.MaxBy(pair => pair.Value).Key);
        Assert.True(victim >= 0, "no silo hosts a shard");

        // Every client is being pinged before the kill (a client lost by the shards' bookkeeping would not be).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.True(onA.AllPingedSince(After(Now(), -1.2)) && onB.AllPingedSince(After(Now(), -1.2)),
            $"before the kill, pinged in the last 1.2 s: {onA.PingedSince(After(Now(), -1.2))}, {onB.PingedSince(After(Now(), -1.2))} of 100 each");

        long killed = Now();
        _cluster.Silos[victim].Kill();
        await Task.Delay(TimeSpan.FromSeconds(8));
        long end = Now();

        var gapA = onA.LongestGap(killed, end);
        var gapB = onB.LongestGap(killed, end);
        Assert.True(gapA < TimeSpan.FromSeconds(3) && gapB < TimeSpan.FromSeconds(3),
            $"longest gaps after the kill: {gapA.TotalMilliseconds:F0} ms, {gapB.TotalMilliseconds:F0} ms; pinged in the last 1.5 s: {onA.PingedSince(After(end, -1.5))}, {onB.PingedSince(After(end, -1.5))}\n{_cluster.Describe()}");
        // The shards that lived on the dead silo came back on the survivor, refilled by the gateways.
        Assert.True(await Eventually.True(async () => await MembersOf(client, "a") == 100 && await MembersOf(client, "b") == 100, TimeSpan.FromSeconds(10)),
            "clients were lost from the cluster's shards\n" + _cluster.Describe());
        Assert.True(onA.AllPingedSince(After(end, -1.5)) && onB.AllPingedSince(After(end, -1.5)));
        Assert.NotEmpty(_cluster.GatewayLines("restarted empty: refilled it with"));
    }

    [Fact]
    public async Task A_gateway_killed_and_restarted_with_its_id_pings_its_clients_again_within_3_s_without_heartbeats()
    {
        var a = _cluster.Gateways["a"];
        using var fleet = new PingFleet(100);
        fleet.Heartbeat(a.Endpoint);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await MembersOf(client, "a") == 100, TimeSpan.FromSeconds(10)));

        a.Process.Kill();
        await Task.Delay(TimeSpan.FromSeconds(2));
        long beforeRestart = Now();
        await _cluster.StartGatewayAsync("a", a.Port);
        long up = Now();

        Assert.True(await Eventually.True(() => fleet.AllPingedSince(up), TimeSpan.FromSeconds(3)),
            $"{fleet.PingedSince(up)} of 100 clients pinged within 3 s of the restart");
        Assert.All(fleet.Clients, c => Assert.All(c.Pings.Where(p => p.Timestamp >= beforeRestart), p => Assert.Equal(a.Endpoint, p.From)));
    }

    [Fact]
    public async Task A_client_that_moves_to_another_gateway_is_pinged_by_the_new_one_and_the_old_one_stops_within_2_s()
    {
        var a = _cluster.Gateways["a"];
        var b = _cluster.Gateways["b"];
        using var fleet = new PingFleet(20);
        fleet.Heartbeat(a.Endpoint);
        Assert.True(await Eventually.True(() => fleet.Clients.All(c => c.Count >= 2), TimeSpan.FromSeconds(5)));

        long moved = Now();
        fleet.Heartbeat(b.Endpoint);
        await Task.Delay(TimeSpan.FromSeconds(5));

        long settled = After(moved, 2.0);
        Assert.All(fleet.Clients, c =>
        {
            var lateFromA = c.Pings.Where(p => p.Timestamp > settled && p.From.Equals(a.Endpoint)).ToList();
            Assert.True(lateFromA.Count == 0, $"{c.LocalEndpoint} still pinged by the old gateway {lateFromA.Count} times more than 2 s after moving\n{_cluster.Describe()}");
            Assert.True(c.Pings.Count(p => p.Timestamp > moved && p.From.Equals(b.Endpoint)) >= 4, $"{c.LocalEndpoint} not pinged by the new gateway");
        });
    }

    [Fact]
    public async Task After_a_silo_is_killed_clients_that_move_are_let_go_by_their_old_gateway_within_3_s()
    {
        var a = _cluster.Gateways["a"];
        var b = _cluster.Gateways["b"];
        using var fleet = new PingFleet(100);
        fleet.Heartbeat(a.Endpoint);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await MembersOf(client, "a") == 100, TimeSpan.FromSeconds(10)));

        // Half the client partitions die with this silo: they come back knowing no owners.
        _cluster.Silos[0].Kill();
        await Task.Delay(TimeSpan.FromSeconds(8));

        long moved = Now();
        fleet.Heartbeat(b.Endpoint);
        await Task.Delay(TimeSpan.FromSeconds(5));

        long settled = After(moved, 3.0);
        var stillFromA = fleet.Clients.Where(c => c.Pings.Any(p => p.Timestamp > settled && p.From.Equals(a.Endpoint))).ToList();
        Assert.True(stillFromA.Count == 0, $"{stillFromA.Count} of 100 clients still pinged by their old gateway more than 3 s after moving\n{_cluster.Describe()}");
        Assert.All(fleet.Clients, c => Assert.True(c.Pings.Count(p => p.Timestamp > moved && p.From.Equals(b.Endpoint)) >= 4, $"{c.LocalEndpoint} not pinged by the new gateway"));
    }
}
