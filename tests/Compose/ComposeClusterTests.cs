using System.Diagnostics;
using System.Net;
using TixTrigger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TixTrigger.Tests.Compose;

/// <summary>
/// The project's docker-compose.yml on a real Docker engine, as a user runs it: every service healthy,
/// phones pinged through each gateway's port from that port, seen with their own addresses, a restarted
/// gateway container resuming its clients, and silos scaled, stopped and killed without losing one.
/// Each test heartbeats from its own loopback addresses (127.0.T.x), at most two clients per address.
/// </summary>
public sealed class ComposeClusterTests(ComposeCluster cluster, ITestOutputHelper output) : IClassFixture<ComposeCluster>
{
    private static readonly IPEndPoint GatewayA = new(IPAddress.Loopback, 7561);
    private static readonly IPEndPoint GatewayB = new(IPAddress.Loopback, 7562);

    private static long Now() => Stopwatch.GetTimestamp();

    private static long After(long start, double seconds) => start + (long)(seconds * Stopwatch.Frequency);

    private static PingClient ClientAt(int test, int host) => new(IPAddress.Parse($"127.0.{test}.{host}"));

    [ComposeFact]
    public async Task Every_service_becomes_healthy()
    {
        var states = await cluster.HealthAsync();
        output.WriteLine($"up and healthy in {cluster.UpTime.TotalSeconds:0} s");

        Assert.Equal(["gateway-a", "gateway-b", "redis", "silo"], states.Select(s => s.Service).Order());
        Assert.All(states, s => Assert.True(s.Health == "healthy", $"{s.Service} is {s.Health}"));
    }

    [ComposeFact]
    public async Task Heartbeats_through_each_gateways_port_get_pings_from_that_port()
    {
        using var a = ClientAt(1, 1);
        using var b = ClientAt(1, 2);
        a.Heartbeat(GatewayA);
        b.Heartbeat(GatewayB);

        Assert.True(await Eventually.True(() => a.Count >= 3 && b.Count >= 3, TimeSpan.FromSeconds(15)), $"pings: {a.Count} through 7561, {b.Count} through 7562");
        Assert.All(a.Pings, p => Assert.Equal(GatewayA, p.From));
        Assert.All(b.Pings, p => Assert.Equal(GatewayB, p.From));
        Assert.All(a.Pings.Concat(b.Pings), p => Assert.Equal([0x75, 0x61], p.Data));
    }

    [ComposeFact]
    public async Task A_gateway_sees_each_clients_own_address_and_counts_addresses_apart()
    {
        // Three clients from 127.0.2.1 and two from 127.0.2.2: over the per-address cap on the first only.
        // Behind Docker's proxy or NAT all five would share the proxy's address, and three would be refused.
        using var first = new PingFleet(0);
        first.Clients.AddRange(Enumerable.Range(0, 3).Select(_ => ClientAt(2, 1)));
        using var second = new PingFleet(0);
        second.Clients.AddRange(Enumerable.Range(0, 2).Select(_ => ClientAt(2, 2)));
        foreach (var client in first.Clients) { client.Heartbeat(GatewayA); await Task.Delay(200); }
        second.Heartbeat(GatewayA);

        await Task.Delay(TimeSpan.FromSeconds(5));

        Assert.Equal(ComposeCluster.MaxClientsPerIp, first.Clients.Count(c => c.Count >= 3));
        Assert.Equal(0, first.Clients[^1].Count); // the third one from the same address
        Assert.All(second.Clients, c => Assert.True(c.Count >= 3, $"{c.LocalEndpoint} got {c.Count} pings: counted with 127.0.2.1's clients?"));
    }

    [ComposeFact]
    public async Task The_ping_sender_runs_at_raised_priority_as_a_non_root_user()
    {
        string gateway = (await cluster.ContainersAsync("gateway-a")).Single();
        int pid = await cluster.HostPidAsync(gateway);

        var threads = Directory.GetDirectories($"/proc/{pid}/task")
            .Select(task => (Comm: File.ReadAllText(Path.Combine(task, "comm")).Trim(), Stat: File.ReadAllText(Path.Combine(task, "stat"))))
            .ToList();
        var sender = threads.Where(t => t.Comm.StartsWith("tixtrigger-ping", StringComparison.Ordinal)).ToList();
        Assert.True(sender.Count == 1, $"no ping sender thread among {string.Join(", ", threads.Select(t => t.Comm).Distinct())}");
        // stat: "pid (comm) state ..." — nice is the 17th field after the comm's closing parenthesis.
        string[] fields = sender[0].Stat[(sender[0].Stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal("-10", fields[16]);
        string uid = File.ReadAllLines($"/proc/{pid}/status").Single(line => line.StartsWith("Uid:", StringComparison.Ordinal));
        Assert.DoesNotContain("\t0\t", uid + "\t");
    }

    [ComposeFact]
    public async Task A_restarted_gateway_container_pings_its_clients_again_without_a_heartbeat()
    {
        using var fleet = new PingFleet(0);
        fleet.Clients.AddRange(Enumerable.Range(1, 5).Select(host => ClientAt(3, host)));
        fleet.Heartbeat(GatewayA);
        Assert.True(await Eventually.True(() => fleet.Clients.All(c => c.Count >= 2), TimeSpan.FromSeconds(15)), "not every client was pinged before the restart");

        await cluster.ComposeAsync(TimeSpan.FromMinutes(2), "restart", "gateway-a");
        long restarted = Now();

        Assert.True(await Eventually.True(() => fleet.AllPingedSince(restarted), TimeSpan.FromSeconds(20)),
            $"{fleet.PingedSince(restarted)} of 5 clients pinged again within 20 s of the restart, with no new heartbeat");
        long resumed = Now();
        output.WriteLine($"all 5 pinged again {(resumed - restarted) / (double)Stopwatch.Frequency:0.0} s after `docker-compose restart gateway-a` returned");
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.True(fleet.LongestGap(resumed, Now()) < TimeSpan.FromSeconds(1.5), "pinging did not go on every second after resuming");
    }

    [ComposeFact]
    public async Task Three_silos_then_one_stopped_and_one_killed_lose_no_client()
    {
        await cluster.ComposeAsync(TimeSpan.FromMinutes(3), "up", "-d", "--no-recreate", "--scale", "silo=3");
        await cluster.AwaitHealthyAsync(3, TimeSpan.FromMinutes(3));
        using var fleet = new PingFleet(0);
        fleet.Clients.AddRange(Enumerable.Range(1, 10).Select(host => ClientAt(4, host)));
        foreach (var (client, i) in fleet.Clients.Select((c, i) => (c, i))) client.Heartbeat(i % 2 == 0 ? GatewayA : GatewayB);
        Assert.True(await Eventually.True(() => fleet.Clients.All(c => c.Count >= 2), TimeSpan.FromSeconds(15)), "not every client was pinged on three silos");
        // Shards spread over the three silos a few seconds after they joined.
        await Task.Delay(TimeSpan.FromSeconds(10));
        var silos = await cluster.ContainersAsync("silo");

        long stopping = Now();
        await ComposeCluster.DockerAsync(TimeSpan.FromMinutes(1), ["stop", "-t", "40", silos[0]]);
        await Task.Delay(TimeSpan.FromSeconds(10));
        long stopped = Now();
        var stopGap = fleet.LongestGap(stopping, stopped);

        long killing = Now();
        await ComposeCluster.DockerAsync(TimeSpan.FromSeconds(30), ["kill", "-s", "KILL", silos[1]]);
        await Task.Delay(TimeSpan.FromSeconds(20));
        long end = Now();
        var killGap = fleet.LongestGap(killing, end);

        output.WriteLine($"longest gap: {stopGap.TotalSeconds:0.00} s while a silo stopped, {killGap.TotalSeconds:0.00} s after one was killed");
        // A stopped silo hands its shards on first: no gap. A killed one is declared dead in about a second
        // (probes every second, its connections reset); a client may wait that long, plus its next slot.
        Assert.True(stopGap < TimeSpan.FromSeconds(1.5), $"a client went {stopGap.TotalSeconds:0.0} s without a ping while a silo stopped");
        Assert.True(killGap < TimeSpan.FromSeconds(4), $"a client went {killGap.TotalSeconds:0.0} s without a ping after a silo was killed");
        Assert.True(fleet.AllPingedSince(After(end, -2)), $"{fleet.Clients.Count - fleet.PingedSince(After(end, -2))} of 10 clients lost");
    }

    [ComposeFact]
    public async Task An_upgrade_beside_the_running_gateway_takes_it_over_without_a_missed_ping()
    {
        using var fleet = new PingFleet(0);
        fleet.Clients.AddRange(Enumerable.Range(1, 20).Select(host => ClientAt(5, host)));
        fleet.Heartbeat(GatewayB);
        Assert.True(await Eventually.True(() => fleet.Clients.All(c => c.Count >= 2), TimeSpan.FromSeconds(15)), "not every client was pinged before the upgrade");
        var old = (await cluster.ContainersAsync("gateway-b")).Single();

        long upgrading = Now();
        var (exitCode, said, errors) = await cluster.UpgradeAsync("gateway-b");
        Assert.True(exitCode == 0, $"compose-upgrade.sh exited {exitCode}:\n{said}\n{errors}");
        long upgraded = Now();
        await Task.Delay(TimeSpan.FromSeconds(5));

        var now = await cluster.ContainersAsync("gateway-b");
        Assert.DoesNotContain(old, now);
        Assert.Single(now);
        var gap = fleet.LongestGap(upgrading, Now());
        var (onTime, intervals) = fleet.IntervalsOnTime(upgrading, Now(), TimeSpan.FromMilliseconds(100));
        output.WriteLine($"upgrade took {(upgraded - upgrading) / (double)Stopwatch.Frequency:0.0} s; longest gap {gap.TotalSeconds:0.00} s; {onTime} of {intervals} intervals within 1 s ± 100 ms");
        Assert.True(gap < TimeSpan.FromSeconds(1.2), $"a client went {gap.TotalSeconds:0.00} s without a ping across the upgrade");
    }
}
