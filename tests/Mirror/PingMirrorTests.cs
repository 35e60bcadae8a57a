using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway;
using TixTrigger.Gateway.Abuse;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Messages;
using TixTrigger.Settings;

namespace TixTrigger.Tests.Mirror;

/// <summary>The gateway's mirror on its own: what reaches the cluster, and what the cluster's messages may change.</summary>
public sealed class PingMirrorTests
{
    private const int ExpirySeconds = 120;
    private static readonly ClientEndpoint Client = At("10.0.0.1", 40_000);
    private static readonly PackedAddress Local = PackedAddress.From(IPAddress.Loopback);

    private static ClientEndpoint At(string ip, ushort port) => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse(ip), port));

    private static PingMirror NewMirror(int maxClients = 100, int maxClientsPerIp = 100) => new(new UdpGatewayOptions
    {
        ShardsPerGateway = 1,
        ClientExpirationSeconds = ExpirySeconds,
        MaxClients = maxClients,
        MaxClientsPerIp = maxClientsPerIp,
    });

    /// <summary>Registers whatever is queued, as a cluster that takes everything would.</summary>
    private static List<PendingRegistration> Register(PingMirror mirror, long nowMs)
    {
        var claims = mirror.DrainClaims(nowMs, _ => true);
        mirror.Shards[0].CompleteClaims(claims.Select(claim => (claim, true)));
        return claims;
    }

    /// <summary>Which clients a whole second of slots would ping at <paramref name="nowMs"/>.</summary>
    private static HashSet<ClientEndpoint> Pinged(PingMirror mirror, long nowMs)
    {
        var batch = new PingBatch();
        var pinged = new HashSet<ClientEndpoint>();
        for (int slot = 0; slot < SlotWheel.SlotCount; slot++)
        {
            mirror.CollectSlot(slot, nowMs, batch);
            foreach (var target in batch.Items) pinged.Add(target.Client);
        }
        return pinged;
    }

    [Fact]
    public void A_new_client_is_claimed_once_and_refreshes_reach_the_cluster_only_when_the_shards_copy_would_lag()
    {
        var mirror = NewMirror();
        long lagMs = mirror.Context.RefreshLagMs;

        Assert.Equal(Admission.Added, mirror.Admit(Client, Local, false, nowMs: 0));
        Assert.Equal(Admission.Refreshed, mirror.Admit(Client, Local, false, nowMs: 100));
        var claim = Assert.Single(Register(mirror, nowMs: 100));
        Assert.Equal(Client, claim.Member.Client);

        for (long t = 5_000; t < lagMs; t += 5_000) mirror.Admit(Client, Local, false, nowMs: t);
        Assert.Empty(mirror.DrainRefreshes(lagMs));
        Assert.Empty(mirror.DrainClaims(lagMs, _ => true));

        mirror.Admit(Client, Local, false, nowMs: lagMs + 200);
        mirror.Admit(Client, Local, false, nowMs: lagMs + 300);
        var refresh = Assert.Single(mirror.DrainRefreshes(lagMs + 300));
        Assert.Equal(claim.Member.ClaimId, refresh.Member.ClaimId);
        Assert.Equal(ExpirySeconds * 1000, refresh.Member.TtlMs);
    }

    [Fact]
    public void A_claim_the_cluster_did_not_take_is_queued_again()
    {
        var mirror = NewMirror();
        mirror.Admit(Client, Local, false, nowMs: 0);

        var claims = mirror.DrainClaims(0, _ => true);
        mirror.Shards[0].CompleteClaims(claims.Select(claim => (claim, false)));

        Assert.Equal(claims.Single().Member.ClaimId, Assert.Single(mirror.DrainClaims(10, _ => true)).Member.ClaimId);
    }

    [Fact]
    public void A_move_removes_the_claim_it_names_and_never_a_later_one()
    {
        var mirror = NewMirror();
        mirror.Admit(Client, Local, false, nowMs: 0);
        long claimId = Register(mirror, 0).Single().Member.ClaimId;

        mirror.Shards[0].ApplyRemovals([new ShardRemoval(Client, claimId - 1, RemovalReason.Moved)], nowMs: 10);
        Assert.Contains(Client, Pinged(mirror, 20));

        mirror.Shards[0].ApplyRemovals([new ShardRemoval(Client, claimId, RemovalReason.Moved)], nowMs: 30);
        Assert.Empty(Pinged(mirror, 40));
        Assert.Equal(0, mirror.Count);
    }

    // A claim that waited (a second process of a GATEWAY_ID, for its lease) took the client with a heartbeat 5 s old; this gateway heard it 1 s ago.
    [Theory]
    [InlineData(5_000, true)]
    [InlineData(500, false)]    // taken by a heartbeat after the last one here: it moved
    [InlineData(0, false)]      // no age told (an older silo): as before, it goes
    public void A_move_by_a_heartbeat_older_than_the_last_one_here_is_claimed_back(long takenByAgeMs, bool kept)
    {
        var mirror = NewMirror();
        mirror.Admit(Client, Local, false, nowMs: 0);
        long claimId = Register(mirror, 0).Single().Member.ClaimId;
        mirror.Admit(Client, Local, false, nowMs: 9_000);

        mirror.Shards[0].ApplyRemovals([new ShardRemoval(Client, claimId, RemovalReason.Moved, takenByAgeMs)], nowMs: 10_000);

        Assert.Equal(kept, Pinged(mirror, 10_000).Contains(Client));
        var again = mirror.DrainClaims(10_000, _ => true);
        if (!kept)
        {
            Assert.Empty(again);
            return;
        }
        Assert.True(Assert.Single(again).Member.ClaimId > claimId);
        Assert.Equal(1_000, again[0].HeartbeatAgeMs);
    }

    [Fact]
    public void A_shards_expiry_never_ends_pings_this_gateway_still_owes_it_registers_the_client_again()
    {
        var mirror = NewMirror();
        mirror.Admit(Client, Local, false, nowMs: 0);
        long claimId = Register(mirror, 0).Single().Member.ClaimId;

        mirror.Shards[0].ApplyRemovals([new ShardRemoval(Client, claimId, RemovalReason.Expired)], nowMs: 60_000);

        Assert.Contains(Client, Pinged(mirror, 60_000));
        var again = Assert.Single(mirror.DrainClaims(60_000, _ => true));
        Assert.True(again.Member.ClaimId > claimId);
    }

    [Fact]
    public void Pings_end_at_this_gateways_deadline_whatever_the_cluster_says()
    {
        var mirror = NewMirror();
        mirror.Admit(Client, Local, false, nowMs: 0);
        Register(mirror, 0);

        Assert.Contains(Client, Pinged(mirror, ExpirySeconds * 1000 - 1));
        Assert.Empty(Pinged(mirror, ExpirySeconds * 1000));
        // It lingers, unpinged, while answers to its last pings could still arrive; then it goes.
        Assert.Equal(1, mirror.Count);
        Assert.Empty(Pinged(mirror, ExpirySeconds * 1000 + EchoRule.LingerMs));
        Assert.Equal(0, mirror.Count);
    }

    [Fact]
    public void A_snapshot_adds_what_is_missing_applies_recent_moves_and_drops_no_client_whose_claim_is_on_its_way()
    {
        var mirror = NewMirror();
        var moved = At("10.0.0.2", 1);
        var pending = At("10.0.0.3", 1);
        var restored = At("10.0.0.4", 1);
        mirror.Admit(moved, Local, false, nowMs: 0);
        long movedClaim = Register(mirror, 0).Single().Member.ClaimId;
        mirror.Admit(pending, Local, false, nowMs: 0);

        mirror.Shards[0].Merge(
            new ShardSnapshot(Guid.NewGuid(), 7, [new ShardMember(restored, Local, TtlMs: 30_000, ClaimId: 5)], [new ShardRemoval(moved, movedClaim, RemovalReason.Moved)]),
            nowMs: 1_000,
            _ => Assert.Fail("nothing is over a limit here"));

        Assert.Equal([pending, restored], Pinged(mirror, 2_000).OrderBy(c => c.Port).ThenBy(c => c.Address.Low));
        Assert.True(mirror.Shards[0].IsRegistered(restored));
        Assert.False(mirror.Shards[0].IsRegistered(pending));
    }

    [Fact]
    public void Deadlines_learnt_from_the_cluster_are_clamped_to_the_expiry_and_pass_the_same_limits()
    {
        var mirror = NewMirror(maxClients: 2);
        var rejected = new List<Admission>();
        ShardMember Member(ushort port) => new(At("10.0.0.5", port), Local, TtlMs: int.MaxValue, ClaimId: port);

        mirror.Shards[0].Merge(new ShardSnapshot(Guid.NewGuid(), 1, [Member(1), Member(2), Member(3)], []), nowMs: 0, rejected.Add);

        Assert.Equal([Admission.Refused(DropReason.OverCapacity)], rejected);
        Assert.Equal(2, Pinged(mirror, ExpirySeconds * 1000 - 1).Count);
        Assert.Empty(Pinged(mirror, ExpirySeconds * 1000));
    }

    [Fact]
    public void Limits_bound_what_one_address_and_the_whole_gateway_can_register()
    {
        var mirror = NewMirror(maxClients: 3, maxClientsPerIp: 2);

        Assert.Equal(Admission.Added, mirror.Admit(At("10.0.0.1", 1), Local, false, 0));
        Assert.Equal(Admission.Added, mirror.Admit(At("10.0.0.1", 2), Local, false, 0));
        Assert.Equal(Admission.Refused(DropReason.OverIpLimit), mirror.Admit(At("10.0.0.1", 3), Local, false, 0));
        Assert.Equal(Admission.Refreshed, mirror.Admit(At("10.0.0.1", 2), Local, false, 1_000));
        Assert.Equal(Admission.Added, mirror.Admit(At("10.0.0.2", 1), Local, false, 0));
        Assert.Equal(Admission.Refused(DropReason.OverCapacity), mirror.Admit(At("10.0.0.3", 1), Local, false, 0));
        Assert.Equal(3, mirror.Count);
    }
}
