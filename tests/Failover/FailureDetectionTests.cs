using System.Diagnostics;
using Orleans.Runtime;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Failover;

/// <summary>A silo that stalls for a few seconds is not a dead silo; one that is killed is declared dead quickly. Pinging depends on neither.</summary>
public sealed class FailureDetectionTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(silos: 2, gateways: ["a"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_silo_stalled_for_3_s_stays_a_member_and_a_killed_one_is_declared_dead_within_10_s()
    {
        using var fleet = new PingFleet(50);
        fleet.Heartbeat(_cluster.Gateways["a"].Endpoint);
        var client = await _cluster.ConnectClientAsync();
        var management = client.GetGrain<IManagementGrain>(0);
        Assert.True(await Eventually.True(async () => (await management.GetHosts(onlyActive: true)).Count == 2, TimeSpan.FromSeconds(10)));
        long start = Stopwatch.GetTimestamp();
        var victim = _cluster.Silos[1];

        victim.Signal("STOP");
        await Task.Delay(TimeSpan.FromSeconds(3));
        victim.Signal("CONT");
        await Task.Delay(TimeSpan.FromSeconds(8));

        Assert.False(victim.HasExited, "the stalled silo was declared dead and exited:\n" + victim.Describe());
        Assert.Equal(2, (await management.GetHosts(onlyActive: true)).Count);

        var killed = Stopwatch.StartNew();
        victim.Kill();
        Assert.True(await Eventually.True(async () => (await management.GetHosts(onlyActive: true)).Count == 1, TimeSpan.FromSeconds(10)),
            "the killed silo was not declared dead within 10 s\n" + _cluster.Describe());
        var declared = killed.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(1));

        // Under 1.75 s: a missed ping is a silence of about 2 s, so this catches one; a ping may be up to 750 ms late on a loaded box (arrivals are the kernel's stamps: only the gateway's lateness counts).
        var gap = fleet.LongestGap(start, Stopwatch.GetTimestamp());
        Console.WriteLine($"longest gap: {gap.TotalMilliseconds:F0} ms; declared dead after {declared.TotalSeconds:F1} s");
        Assert.True(gap < TimeSpan.FromSeconds(1.75), $"longest gap: {gap.TotalMilliseconds:F0} ms (declared dead after {declared.TotalSeconds:F1} s)");
    }
}
