using System.Net;
using System.Net.Sockets;
using TixTrigger.Tests.Infrastructure;
using Xunit;

namespace TixTrigger.Tests.Origin;

/// <summary>
/// A phone's NAT lets in only what comes from where it sent: on a wildcard bind with several
/// local addresses, each ping must leave from the exact address the client's heartbeat went to.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PingOriginTests(ClusterFixture fixture)
{
    [Fact]
    public async Task On_a_wildcard_bind_each_client_is_pinged_from_the_address_it_sent_to()
    {
        await using var gateway = fixture.StartGateway(IPAddress.Any);
        int port = gateway.LocalEndpoint.Port;
        string[] addresses = ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
        var clients = addresses.Select(_ => new PingClient()).ToArray();
        try
        {
            for (int i = 0; i < clients.Length; i++) clients[i].Heartbeat(new IPEndPoint(IPAddress.Parse(addresses[i]), port));

            Assert.True(await Eventually.True(() => clients.All(c => c.Count >= 2), TimeSpan.FromSeconds(3)));
            for (int i = 0; i < clients.Length; i++)
            {
                PingAssertions.AllExactPingsFrom(clients[i].Pings, new IPEndPoint(IPAddress.Parse(addresses[i]), port));
            }
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task On_a_dual_stack_wildcard_IPv4_and_IPv6_clients_are_pinged_from_their_addresses()
    {
        await using var gateway = fixture.StartGateway(IPAddress.IPv6Any);
        int port = gateway.LocalEndpoint.Port;
        using var v4 = new PingClient(IPAddress.Loopback);
        using var v6 = new PingClient(IPAddress.IPv6Loopback);

        v4.Heartbeat(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port));
        v6.Heartbeat(new IPEndPoint(IPAddress.IPv6Loopback, port));

        Assert.True(await Eventually.True(() => v4.Count >= 2 && v6.Count >= 2, TimeSpan.FromSeconds(3)));
        PingAssertions.AllExactPingsFrom(v4.Pings, new IPEndPoint(IPAddress.Parse("127.0.0.2"), port));
        PingAssertions.AllExactPingsFrom(v6.Pings, new IPEndPoint(IPAddress.IPv6Loopback, port));
    }

    [Fact]
    public async Task On_IPv6_loopback_a_client_is_pinged_from_it()
    {
        await using var gateway = fixture.StartGateway(IPAddress.IPv6Loopback);
        using var client = new PingClient(IPAddress.IPv6Loopback);

        client.Heartbeat(gateway.LocalEndpoint);

        Assert.True(await Eventually.True(() => client.Count >= 2, TimeSpan.FromSeconds(3)));
        Assert.Equal(AddressFamily.InterNetworkV6, gateway.LocalEndpoint.AddressFamily);
        PingAssertions.AllExactPingsFrom(client.Pings, gateway.LocalEndpoint);
    }
}
