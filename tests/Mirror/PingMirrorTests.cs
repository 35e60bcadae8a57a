using System.Net;
using System.Net.Sockets;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Pinging;
using TixTrigger.Messages;

namespace TixTrigger.Tests.Mirror;

public sealed class PingMirrorTests
{
    private static readonly ClientEndpoint Client = ClientEndpoint.From(new IPEndPoint(IPAddress.Loopback, 40_000));
    private static readonly PackedAddress Local = PackedAddress.From(IPAddress.Loopback);

    [Fact]
    public void A_removal_takes_out_the_member_the_shard_knew()
    {
        var mirror = new PingMirror(AddressFamily.InterNetwork, maxClients: 10, maxClientsPerIp: 10);
        mirror.Admit(Client, Local, deadlineUnixMs: 5_000, nowUnixMs: 1_000, shard: 0);

        mirror.Remove(new ShardMember(Client, Local, 5_000));

        Assert.Equal(0, mirror.Count);
    }

    [Fact]
    public void A_removal_older_than_the_last_heartbeat_is_ignored()
    {
        var mirror = new PingMirror(AddressFamily.InterNetwork, maxClients: 10, maxClientsPerIp: 10);
        mirror.Admit(Client, Local, deadlineUnixMs: 5_000, nowUnixMs: 1_000, shard: 0);
        mirror.Admit(Client, Local, deadlineUnixMs: 6_000, nowUnixMs: 2_000, shard: 0);

        mirror.Remove(new ShardMember(Client, Local, 5_000));

        Assert.Equal(1, mirror.Count);
    }

    [Fact]
    public void Limits_bound_what_one_address_and_the_whole_gateway_can_register()
    {
        var mirror = new PingMirror(AddressFamily.InterNetwork, maxClients: 3, maxClientsPerIp: 2);
        ClientEndpoint At(string ip, ushort port) => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse(ip), port));

        Assert.Equal(Admission.Added, mirror.Admit(At("10.0.0.1", 1), Local, 9_000, 0, 0));
        Assert.Equal(Admission.Added, mirror.Admit(At("10.0.0.1", 2), Local, 9_000, 0, 0));
        Assert.Equal(Admission.OverIpLimit, mirror.Admit(At("10.0.0.1", 3), Local, 9_000, 0, 0));
        Assert.Equal(Admission.Refreshed, mirror.Admit(At("10.0.0.1", 2), Local, 9_500, 0, 0));
        Assert.Equal(Admission.Added, mirror.Admit(At("10.0.0.2", 1), Local, 9_000, 0, 0));
        Assert.Equal(Admission.OverCapacity, mirror.Admit(At("10.0.0.3", 1), Local, 9_000, 0, 0));
        Assert.Equal(3, mirror.Count);
    }
}
