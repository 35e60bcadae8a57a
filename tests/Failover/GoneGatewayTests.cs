using Orleans.Runtime;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Failover;

/// <summary>A gateway that never comes back must not leave its shards running forever.</summary>
public sealed class GoneGatewayTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    // Short expiry, so the dead gateway's members run out soon after its shards give up on it.
    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(silos: 1, gateways: ["gone"], expirySeconds: 4);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task The_shards_of_a_gateway_gone_for_good_stop_and_deactivate()
    {
        using var fleet = new PingFleet(20);
        fleet.Heartbeat(_cluster.Gateways["gone"].Endpoint);
        var client = await _cluster.ConnectClientAsync();
        var management = client.GetGrain<IManagementGrain>(0);
        Assert.True(await Eventually.True(async () => await ShardActivations(management) > 0, TimeSpan.FromSeconds(10)));

        _cluster.Gateways["gone"].Process.Kill();

        Assert.True(await Eventually.True(async () => await ShardActivations(management) == 0, TimeSpan.FromSeconds(40)),
            $"{await ShardActivations(management)} shard activations of the dead gateway remain");
    }

    private static async Task<int> ShardActivations(IManagementGrain management)
    {
        var statistics = await management.GetDetailedGrainStatistics();
        return statistics.Count(s => s.GrainId.ToString().Contains("gone/", StringComparison.Ordinal) && s.GrainType.Contains("PingShardGrain", StringComparison.Ordinal));
    }
}
