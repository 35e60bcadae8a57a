using System.Diagnostics;
using TixTrigger.Grains;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Scaling;

/// <summary>A silo added to a running cluster takes its share of the shards, without a gap in anyone's pings.</summary>
public sealed class SiloScaleOutTests : IAsyncLifetime
{
    private const int Shards = 16;
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(silos: 1, gateways: ["a"], shardsPerGateway: Shards);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Shards_spread_onto_a_new_silo_and_no_client_notices()
    {
        using var fleet = new PingFleet(64);
        fleet.Heartbeat(_cluster.Gateways["a"].Endpoint);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(client, "a") == 64, TimeSpan.FromSeconds(10)));
        Assert.Single(await LocalCluster.ShardsPerSiloAsync(client));

        var epochs = await ShardEpochs(client);

        long scaled = Stopwatch.GetTimestamp();
        await _cluster.StartSiloAsync();

        Dictionary<int, int> spread = [];
        Assert.True(await Eventually.True(async () =>
        {
            spread = await LocalCluster.ShardsPerSiloAsync(client);
            return spread.Count == 2 && spread.Values.Sum() == Shards;
        }, TimeSpan.FromSeconds(40)), $"shards per silo: {string.Join(", ", spread.Select(p => $"{p.Key}: {p.Value}"))}");
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Under 1.75 s: a missed ping is a silence of about 2 s, so this catches one; a ping may be up to 750 ms late on a loaded box (arrivals are the kernel's stamps: only the gateway's lateness counts).
        var gap = fleet.LongestGap(scaled, Stopwatch.GetTimestamp());
        Console.WriteLine($"longest gap while shards moved: {gap.TotalMilliseconds:F0} ms");
        Assert.True(gap < TimeSpan.FromSeconds(1.75), $"longest gap while shards moved: {gap.TotalMilliseconds:F0} ms");
        Assert.Contains(_cluster.Silos[0].Output, line => line.Contains("moves to its home silo", StringComparison.Ordinal));
        // Every shard moved with its state: the same activation lineage (epoch) and members, no refill from the gateway.
        var moved = await ShardEpochs(client);
        var restarted = Enumerable.Range(0, Shards).Where(i => moved[i] != epochs[i]).ToArray();
        Assert.True(restarted.Length == 0, $"shards that started anew instead of moving: {string.Join(", ", restarted)}\n{_cluster.Describe()}");
        Assert.Empty(_cluster.GatewayLines("restarted empty"));
        Assert.Equal(64, await _cluster.MembersOfAsync(client, "a"));
    }

    private static async Task<Guid[]> ShardEpochs(IClusterClient client) =>
        await Task.WhenAll(Enumerable.Range(0, Shards).Select(async i => (await client.GetGrain<IPingShardGrain>(ShardKey.Format("a", i)).GetSnapshot()).Epoch));
}
