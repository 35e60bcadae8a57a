using System.Diagnostics;
using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
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
        await fixture.Cluster.DeactivateAsync(shard);
        client.Clear();

        Assert.True(await Eventually.True(() => Contains(shard, endpoint), TimeSpan.FromSeconds(6)), "the gateway did not refill the shard");
        Assert.NotEqual(before.Epoch, (await shard.GetSnapshot()).Epoch);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var pings = client.Pings;
        Assert.True(pings.Count >= 3, $"{pings.Count} pings while the shard was restarting");
        PingAssertions.IntervalsAboutOneSecond(pings);
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
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // let the shard's tick confirm the member
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
