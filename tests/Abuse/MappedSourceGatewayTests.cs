using System.Net;
using TixTrigger.Gateway;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// On a dual-stack gateway (HOST=::), a datagram forged over IPv6 from <c>::ffff:127.0.0.1</c>, an
/// address no real IPv6 packet carries, is neither the IPv4 client 127.0.0.1 nor a loopback client
/// exempt from the per-network rules: it is dropped as malformed.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MappedSourceGatewayTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_mapped_source_forged_over_IPv6_neither_redirects_an_IPv4_client_nor_registers_one()
    {
        await using var gateway = fixture.StartGateway(IPAddress.IPv6Any);
        int port = gateway.LocalEndpoint.Port;
        var service = new IPEndPoint(IPAddress.Loopback, port);
        using var client = new PingClient(IPAddress.Loopback);
        using var bystander = new PingClient(IPAddress.Loopback);   // never heartbeats: a forger's would-be loopback client
        using var forger = new ForgedIPv6Datagrams();
        client.Heartbeat(service);
        Assert.True(await Eventually.True(() => client.Count >= 2, TimeSpan.FromSeconds(5)));

        // Forged from the client's own port (a redirect) and from a port of no client (a new loopback client).
        var toGateway = new IPEndPoint(IPAddress.IPv6Loopback, port);
        forger.Send(new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), client.LocalEndpoint.Port), toGateway, new byte[2]);
        forger.Send(new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), bystander.LocalEndpoint.Port), toGateway, new byte[2]);
        bool bothDropped = await Eventually.True(() => gateway.Metrics.Dropped(DropReason.Malformed) >= 2, TimeSpan.FromSeconds(3));
        client.Clear();
        bool stillPinged = await Eventually.True(() => client.Count >= 2, TimeSpan.FromSeconds(4));

        Assert.True(stillPinged, $"the IPv4 client got {client.Count} pings after the forged datagram, {gateway.Metrics.PingsFailed} pings failed");
        PingAssertions.AllExactPingsFrom(client.Pings, service);
        Assert.Equal(0, bystander.Count);
        Assert.Equal(1, gateway.ClientCount);
        Assert.True(bothDropped, $"{gateway.Metrics.Dropped(DropReason.Malformed)} malformed drops, 2 forged datagrams");
        Assert.Equal(0, gateway.Metrics.PingsFailed);
    }
}
