using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Messages;
using TixTrigger.Settings;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// A gateway never registers a gateway of its cluster as a client: one datagram forged to come
/// from gateway 2's UDP endpoint and sent to gateway 1 would otherwise make the two ping each other
/// forever, each ping being the other's heartbeat.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GatewayLoopTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_datagram_forged_from_another_gateway_starts_no_traffic_between_them()
    {
        await using var gateway1 = fixture.StartGateway(IPAddress.Loopback);
        await using var gateway2 = fixture.StartGateway(IPAddress.Loopback);
        var endpoint1 = gateway1.LocalEndpoint;
        var endpoint2 = gateway2.LocalEndpoint;
        // They learn each other through the gateway registry, within an announcement interval or two.
        Assert.True(await Eventually.True(
            () => gateway1.Mirror.Context.Admission.Gateways.Contains(ClientEndpoint.From(endpoint2))
                && gateway2.Mirror.Context.Admission.Gateways.Contains(ClientEndpoint.From(endpoint1)),
            TimeSpan.FromSeconds(10)), "the gateways never learnt each other's UDP endpoints");
        using var sniffer = new UdpSniffer(endpoint1.Port, endpoint2.Port);
        using var forger = new ForgedDatagrams();

        forger.Send(from: endpoint2, to: endpoint1, [0x75, 0x61]);
        await Task.Delay(TimeSpan.FromSeconds(5));

        var seen = sniffer.Between;
        var forged = Assert.Single(seen);
        Assert.Equal(endpoint2, forged.From);
        Assert.Equal(1, gateway1.Metrics.Dropped(DropReason.ClusterGateway));
        Assert.Equal(0, gateway1.ClientCount);
        Assert.Equal(0, gateway2.ClientCount);
    }

    [Fact]
    public async Task A_datagram_forged_from_its_own_endpoint_is_refused()
    {
        await using var gateway = fixture.StartGateway(IPAddress.Any);
        var own = new IPEndPoint(IPAddress.Parse("127.0.0.2"), gateway.LocalEndpoint.Port);
        using var sniffer = new UdpSniffer(gateway.LocalEndpoint.Port);
        using var forger = new ForgedDatagrams();

        // Bound to every address, it receives on 127.0.0.2 too: that is itself, and so is any loopback address.
        forger.Send(from: own, to: new IPEndPoint(IPAddress.Loopback, gateway.LocalEndpoint.Port), [0, 0]);
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Single(sniffer.Between);
        Assert.Equal(1, gateway.Metrics.Dropped(DropReason.ClusterGateway));
        Assert.Equal(0, gateway.ClientCount);
    }

    [Fact]
    public void A_loop_that_began_before_the_gateways_knew_each_other_ends_when_they_do()
    {
        var mirror = new PingMirror(new UdpGatewayOptions { ShardsPerGateway = 2 });
        var local = PackedAddress.From(IPAddress.Loopback);
        var otherGateway = ClientEndpoint.From(new IPEndPoint(IPAddress.Loopback, 7562));
        var phone = ClientEndpoint.From(new IPEndPoint(IPAddress.Loopback, 40_000));
        Assert.Equal(Admission.Added, mirror.Admit(otherGateway, local, false, nowMs: 0));   // its first ping, taken for a heartbeat
        mirror.Admit(phone, local, false, nowMs: 0);

        // The directory's list arrives: the other gateway listens on 127.0.0.1:7562.
        Assert.True(mirror.Context.Admission.Gateways.Update([new GatewayUdpEndpoints(7562, [otherGateway.Address], Wildcard: false, Environment.MachineName)]));
        Assert.Equal(1, mirror.RemoveClusterGateways());

        Assert.Equal(1, mirror.Count);
        Assert.Equal(Admission.Refused(DropReason.ClusterGateway), mirror.Admit(otherGateway, local, false, nowMs: 1_000));
        var rejected = new List<Admission>();
        var shard = mirror.ShardOf(otherGateway);
        shard.Merge(new ShardSnapshot(Guid.NewGuid(), 1, [new ShardMember(otherGateway, local, TtlMs: 60_000, ClaimId: 1)], []), nowMs: 1_000, rejected.Add);
        Assert.Equal([Admission.Refused(DropReason.ClusterGateway)], rejected);
        Assert.Equal(1, mirror.Count);
    }

    [Fact]
    public void Loopback_addresses_of_a_gateway_on_another_host_refuse_nothing_here()
    {
        var gateways = new Gateway.Abuse.ClusterGateways();
        var elsewhere = PackedAddress.From(IPAddress.Parse("10.0.0.5"));

        gateways.Update([new GatewayUdpEndpoints(7562, [PackedAddress.From(IPAddress.Loopback), elsewhere], Wildcard: true, Host: "another-host")]);

        Assert.True(gateways.Contains(new ClientEndpoint(elsewhere, 7562)));
        Assert.False(gateways.Contains(ClientEndpoint.From(new IPEndPoint(IPAddress.Loopback, 7562))));   // a client of this host
        Assert.False(gateways.Contains(ClientEndpoint.From(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 7562))));
    }

    [Fact]
    public async Task The_port_of_a_gateway_that_stopped_is_anyone_s_again()
    {
        await using var gateway = fixture.StartGateway(IPAddress.Loopback);
        var stopping = fixture.StartGateway(IPAddress.Any);
        var itsPort = ClientEndpoint.From(new IPEndPoint(IPAddress.Loopback, stopping.LocalEndpoint.Port));
        Assert.True(await Eventually.True(() => gateway.Mirror.Context.Admission.Gateways.Contains(itsPort), TimeSpan.FromSeconds(10)));

        await stopping.DisposeAsync();

        // A client of this host may be given that port next: within an announcement interval or two it is a client like any other.
        Assert.True(await Eventually.True(() => !gateway.Mirror.Context.Admission.Gateways.Contains(itsPort), TimeSpan.FromSeconds(6)),
            "a stopped gateway's port is still refused");
    }
}
