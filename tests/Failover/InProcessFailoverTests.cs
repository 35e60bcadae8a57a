using System.Diagnostics;
using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Cluster;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Failover;

/// <summary>State lost on either side is rebuilt from the other: no client is lost, no heartbeat needed.</summary>
[Collection(ClusterCollection.Name)]
public sealed class InProcessFailoverTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_shard_that_lost_its_state_is_refilled_from_the_gateway_and_pinging_never_pauses()
    {
        var options = fixture.NewGatewayOptions(IPAddress.Loopback);
        await using var gateway = fixture.StartGateway(options);
        using var client = new PingClient();
        client.Heartbeat(gateway.LocalEndpoint);
        var endpoint = ClientEndpoint.From(client.LocalEndpoint);
        var shard = fixture.Grains.GetGrain<IPingShardGrain>(ShardKey.Format(options.GatewayId, endpoint.ShardOf(options.ShardsPerGateway)));
        Assert.True(await Eventually.True(() => Contains(shard, endpoint), TimeSpan.FromSeconds(3)));
        var before = await shard.GetSnapshot();

        // What a silo crash does to a shard: its in-memory state is gone, the next call activates it afresh.
        long lost = Stopwatch.GetTimestamp();
        await fixture.Cluster.DeactivateAsync(shard);

        Assert.True(await Eventually.True(() => Contains(shard, endpoint), TimeSpan.FromSeconds(6)), "the gateway did not refill the shard");
        Assert.NotEqual(before.Epoch, (await shard.GetSnapshot()).Epoch);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var gap = PingFleet.LongestGap(client, lost, Stopwatch.GetTimestamp());
        // Under 1.75 s, not 1.2: a pause of the pings while the shard restarts costs a ping, a silence of about 2 s; the
        // gateway shares this process with the silo and the test, so a loaded box may hold one ping up to 750 ms.
        Console.WriteLine($"longest gap while the shard restarted: {gap.TotalMilliseconds:F0} ms");
        Assert.True(gap < TimeSpan.FromSeconds(1.75), $"the longest gap while the shard was restarting was {gap.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_gap_in_the_ticks_of_a_shard_that_lost_its_state_refills_it_rather_than_emptying_the_mirror()
    {
        var options = fixture.NewGatewayOptions(IPAddress.Loopback);
        options.AnnounceInterval = TimeSpan.FromMinutes(5); // only the first announcement: the gap alone must bring the resync
        await using var gateway = fixture.StartGateway(options);
        using var fleet = new PingFleet(20);
        fleet.Heartbeat(gateway.LocalEndpoint);
        var shards = Enumerable.Range(0, options.ShardsPerGateway)
            .Select(i => fixture.Grains.GetGrain<IPingShardGrain>(ShardKey.Format(options.GatewayId, i))).ToList();
        Assert.True(await Eventually.True(async () => (await Task.WhenAll(shards.Select(s => s.GetSnapshot()))).Sum(s => s.Members.Length) == 20, TimeSpan.FromSeconds(5)));
        var synchronizer = gateway.Synchronizer;
        var lostShard = Enumerable.Range(0, shards.Count).First(i => gateway.Mirror.Shards[i].Count > 0);
        var old = await shards[lostShard].GetSnapshot();

        await fixture.Cluster.DeactivateAsync(shards[lostShard]);
        // A tick of the old activation that reveals a gap: the resync's snapshot now comes from a fresh, empty activation.
        await synchronizer.OnTick(new ShardTick(lostShard, old.Epoch, old.Sequence + 5, []));

        long resynced = Stopwatch.GetTimestamp();
        Assert.True(await Eventually.True(async () => (await shards[lostShard].GetSnapshot()).Members.Length == gateway.Mirror.Shards[lostShard].Count, TimeSpan.FromSeconds(5)),
            "the shard that lost its state was not refilled");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(20, gateway.ClientCount);
        Assert.True(fleet.AllPingedSince(resynced), $"{fleet.PingedSince(resynced)} of 20 clients pinged after the resync");
    }

    [Fact]
    public async Task A_restarted_gateway_with_the_same_id_resumes_its_clients_without_heartbeats()
    {
        var options = fixture.NewGatewayOptions(IPAddress.Loopback);
        var first = fixture.StartGateway(options);
        using var client = new PingClient();
        client.Heartbeat(first.LocalEndpoint);
        Assert.True(await Eventually.True(() => client.Count >= 2, TimeSpan.FromSeconds(3)));
        options.Port = first.LocalEndpoint.Port;
        await first.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        client.Clear();

        long restarted = Stopwatch.GetTimestamp();
        await using var second = fixture.StartGateway(options);

        Assert.True(await Eventually.True(() => client.Count >= 2, TimeSpan.FromSeconds(5)), "no pings after the restart");
        Assert.True(client.Pings[0].SecondsSince(restarted) < 3, $"first ping {client.Pings[0].SecondsSince(restarted):F2} s after the restart");
        PingAssertions.AllExactPingsFrom(client.Pings, second.LocalEndpoint);
        Assert.Equal(0, second.Metrics.Heartbeats);
    }

    private static async Task<bool> Contains(IPingShardGrain shard, ClientEndpoint endpoint) =>
        (await shard.GetSnapshot()).Members.Any(m => m.Client == endpoint);
}
