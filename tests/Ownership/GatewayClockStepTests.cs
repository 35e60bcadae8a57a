using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Ownership;

/// <summary>
/// A gateway whose wall clock steps back (a bad NTP step, a host restored from a snapshot) changes
/// nothing: its claim ids come from the epoch the cluster grants each process and a counter, so a
/// restarted process's claims come after its predecessor's whatever its clock says. The clock is
/// moved with libfaketime (Debian's faketime), which leaves the monotonic clock alone.
/// </summary>
public sealed class GatewayClockStepTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(silos: 1, gateways: ["a", "b"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_gateway_restarted_an_hour_behind_registers_a_client_that_comes_back_to_it_from_another_gateway()
    {
        var a = _cluster.Gateways["a"];
        var b = _cluster.Gateways["b"];
        using var phone = new PingClient();
        var endpoint = ClientEndpoint.From(phone.LocalEndpoint);
        var client = await _cluster.ConnectClientAsync();
        phone.Heartbeat(a.Endpoint);
        Assert.True(await Eventually.True(async () => await HeldBy(client, "a", endpoint), TimeSpan.FromSeconds(10)));

        // It moves to b: a's shard remembers the move, under the claim a's process made.
        phone.Heartbeat(b.Endpoint);
        Assert.True(await Eventually.True(async () => await HeldBy(client, "b", endpoint) && !await HeldBy(client, "a", endpoint), TimeSpan.FromSeconds(10)));

        // Gateway a restarts in place with its wall clock an hour behind, and the phone comes back to it.
        a.Process.Kill();
        var restarted = await _cluster.StartGatewayAsync("a", port: a.Port, extraEnvironment: FakeClock.Offset("-1h"));
        Assert.True(await restarted.Process.WaitForOutputAsync("this process holds it", TimeSpan.FromSeconds(15)), restarted.Process.Describe());
        phone.Heartbeat(restarted.Endpoint);

        Assert.True(await Eventually.True(async () => await HeldBy(client, "a", endpoint), TimeSpan.FromSeconds(10)),
            $"a's shard does not hold the client that came back: its new claim lost to the old one\n{_cluster.Describe()}");
        Assert.True(await Eventually.True(async () => !await HeldBy(client, "b", endpoint), TimeSpan.FromSeconds(10)));
    }

    private async Task<bool> HeldBy(IClusterClient client, string gatewayId, ClientEndpoint endpoint)
    {
        var snapshot = await client.GetGrain<IPingShardGrain>(ShardKey.Format(gatewayId, endpoint.ShardOf(_cluster.ShardsPerGateway))).GetSnapshot();
        return snapshot.Members.Any(member => member.Client.Equals(endpoint));
    }
}
