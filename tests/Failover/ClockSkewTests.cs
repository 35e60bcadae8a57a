using System.Diagnostics;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Failover;

/// <summary>
/// A silo whose wall clock is an hour ahead of its gateway's (a bad NTP step, a skewed host) changes
/// nothing: deadlines live on monotonic clocks and cross processes as durations. The silo's clock is
/// faked with libfaketime (Debian's faketime), which leaves the monotonic clock alone.
/// </summary>
public sealed class ClockSkewTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(silos: 1, gateways: ["a"], siloEnvironment: FakeClock.Offset("+1h"));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_silo_an_hour_ahead_neither_ends_pings_early_nor_forgets_clients()
    {
        using var fleet = new PingFleet(50);
        fleet.Heartbeat(_cluster.Gateways["a"].Endpoint);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(client, "a") == 50, TimeSpan.FromSeconds(10)));
        long registered = Stopwatch.GetTimestamp();

        await Task.Delay(TimeSpan.FromSeconds(6));

        var gap = fleet.LongestGap(registered, Stopwatch.GetTimestamp());
        Assert.True(gap < TimeSpan.FromSeconds(1.5), $"longest gap {gap.TotalMilliseconds:F0} ms: pings ended early\n{_cluster.Describe()}");
        Assert.Equal(50, await _cluster.MembersOfAsync(client, "a"));
        var snapshot = await client.GetGrain<Grains.IPingShardGrain>(Grains.ShardKey.Format("a", 0)).GetSnapshot();
        Assert.All(snapshot.Members, member => Assert.InRange(member.TtlMs, 100_000, 120_000));
    }
}
