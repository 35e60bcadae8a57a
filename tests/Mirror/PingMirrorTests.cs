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
    public void Heartbeats_within_a_second_of_the_last_forwarded_one_refresh_but_are_not_forwarded()
    {
        var mirror = new PingMirror(AddressFamily.InterNetwork, maxClients: 10, maxClientsPerIp: 10);

        Assert.Equal(Admission.Added, mirror.Admit(Client, Local, deadlineUnixMs: 11_000, nowUnixMs: 1_000, shard: 0));
        Assert.Equal(Admission.Coalesced, mirror.Admit(Client, Local, deadlineUnixMs: 11_500, nowUnixMs: 1_500, shard: 0));
        Assert.Equal(Admission.Refreshed, mirror.Admit(Client, Local, deadlineUnixMs: 12_000, nowUnixMs: 2_000, shard: 0));
        Assert.Equal(Admission.Coalesced, mirror.Admit(Client, Local, deadlineUnixMs: 12_100, nowUnixMs: 2_100, shard: 0));

        // A removal of what the shard was sent before the forwarded 12,000 is stale: kept.
        mirror.Remove(new ShardMember(Client, Local, 11_000));
        Assert.Equal(1, mirror.Count);
        // The shard has seen everything forwarded (a move right after a coalesced heartbeat): removed.
        mirror.Remove(new ShardMember(Client, Local, 12_000));
        Assert.Equal(0, mirror.Count);
    }

    [Fact]
    public void A_snapshot_drops_confirmed_members_it_lacks_but_keeps_and_reports_unconfirmed_ones()
    {
        var mirror = new PingMirror(AddressFamily.InterNetwork, maxClients: 10, maxClientsPerIp: 10);
        var confirmed = ClientEndpoint.From(new IPEndPoint(IPAddress.Loopback, 40_001));
        var unconfirmed = ClientEndpoint.From(new IPEndPoint(IPAddress.Loopback, 40_002));
        mirror.Admit(confirmed, Local, deadlineUnixMs: 9_000, nowUnixMs: 0, shard: 0);
        mirror.Confirm(new ShardMember(confirmed, Local, 9_000));
        mirror.Admit(unconfirmed, Local, deadlineUnixMs: 9_000, nowUnixMs: 0, shard: 0); // its forward failed

        var missing = mirror.UnconfirmedMissingFrom(0, []);
        mirror.ReplaceShard(0, [], _ => 0);

        Assert.Equal([unconfirmed], missing.Select(m => m.Client));
        Assert.Equal(1, mirror.Count);
        Assert.Equal([unconfirmed], mirror.MembersOf(0).Select(m => m.Client));
    }

    [Fact]
    public void Limits_bound_what_one_address_and_the_whole_gateway_can_register()
    {
        var mirror = new PingMirror(AddressFamily.InterNetwork, maxClients: 3, maxClientsPerIp: 2);
        ClientEndpoint At(string ip, ushort port) => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse(ip), port));

        Assert.Equal(Admission.Added, mirror.Admit(At("10.0.0.1", 1), Local, 9_000, 0, 0));
        Assert.Equal(Admission.Added, mirror.Admit(At("10.0.0.1", 2), Local, 9_000, 0, 0));
        Assert.Equal(Admission.OverIpLimit, mirror.Admit(At("10.0.0.1", 3), Local, 9_000, 0, 0));
        Assert.Equal(Admission.Refreshed, mirror.Admit(At("10.0.0.1", 2), Local, 9_500, 1_000, 0));
        Assert.Equal(Admission.Added, mirror.Admit(At("10.0.0.2", 1), Local, 9_000, 0, 0));
        Assert.Equal(Admission.OverCapacity, mirror.Admit(At("10.0.0.3", 1), Local, 9_000, 0, 0));
        Assert.Equal(3, mirror.Count);
    }
}
