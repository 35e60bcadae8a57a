using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Messages;
using TixTrigger.Settings;

namespace TixTrigger.Tests.Mirror;

/// <summary>
/// The registration queues hold each entry at most once, whatever comes and goes: under a flood of
/// forged sources while the cluster is away (nothing drains), entries are replaced ~20,000 times a
/// second, and a queue that kept every replaced entry's index would grow without bound.
/// </summary>
public sealed class ClaimQueueTests
{
    private const int Capacity = 1_000;

    private static PingMirror NewMirror() => new(new UdpGatewayOptions
    {
        ShardsPerGateway = 1,
        ClientExpirationSeconds = 10,
        MaxClients = Capacity,
        MaxClientsPerIp = Capacity,
        NewClientsPerSecond = 10_000_000,
        NewClientsPerSecondPerPrefix = 10_000_000,
    });

    /// <summary>A loopback source of its own (exempt from the per-network rules), as a forged flood's are.</summary>
    private static ClientEndpoint Source(int i) => new(new PackedAddress(0, 0x0000_FFFF_7F00_0000UL + (uint)i), (ushort)(i % 60_000 + 1));

    private static readonly PackedAddress Local = new(0, 0x0000_FFFF_7F00_0001UL);

    [Fact]
    public void A_flood_of_new_sources_with_nothing_draining_never_queues_more_claims_than_the_shard_holds()
    {
        var mirror = NewMirror();
        var shard = mirror.Shards[0];
        int peak = 0, added = 0;
        // 100 waves of 1,000 sources, 5 s apart: each wave finds the previous one stale and replaces it.
        for (int wave = 0; wave < 100; wave++)
        {
            long now = wave * 5_000L;
            for (int i = 0; i < Capacity; i++)
            {
                var verdict = mirror.Admit(Source(wave * Capacity + i), Local, false, now);
                if (verdict == Admission.Added || verdict == Admission.Replaced) added++;
                peak = Math.Max(peak, shard.Count);
                Assert.True(shard.QueueLengths.Claims <= peak, $"wave {wave}: {shard.QueueLengths.Claims} claims queued for {shard.Count} entries");
            }
        }

        Assert.True(added > 50_000, $"{added} admitted");
        Assert.Equal(Capacity, peak);
        // Every entry waits for its claim, once: the gauge counts exactly those.
        Assert.Equal(shard.Count, mirror.ClaimsQueued);
        Assert.Equal(shard.Count, mirror.DrainClaims(500_000, _ => true).Count);
        Assert.Equal(0, mirror.ClaimsQueued);
    }

    [Fact]
    public void Refreshes_of_clients_that_moved_away_leave_nothing_behind_in_the_queue()
    {
        var mirror = NewMirror();
        var shard = mirror.Shards[0];
        long lag = mirror.Context.RefreshLagMs;
        const int PerRound = 100;
        // Each round: new clients registered, refreshes queued (nothing sends them), then every one moves away.
        for (int round = 0; round < 50; round++)
        {
            long now = round * 10_000L;
            var clients = Enumerable.Range(round * PerRound, PerRound).Select(Source).ToArray();
            foreach (var client in clients) mirror.Admit(client, Local, false, now);
            var claims = mirror.DrainClaims(now, _ => true);
            shard.SettleBudget(claims.Select(claim => (claim, false)));
            shard.CompleteClaims(claims.Select(claim => (claim, true)));
            foreach (var client in clients) mirror.Admit(client, Local, false, now + lag);
            if (round == 0) Assert.Equal(PerRound, shard.QueueLengths.Refreshes);
            shard.ApplyRemovals([.. claims.Select(claim => new ShardRemoval(claim.Member.Client, claim.Member.ClaimId, RemovalReason.Moved))], now + lag);
            Assert.Equal(0, shard.Count);
            Assert.True(shard.QueueLengths.Refreshes <= PerRound, $"round {round}: {shard.QueueLengths.Refreshes} refreshes queued for at most {PerRound} entries");
        }
    }
}

/// <summary>When claims leave: only for shards this process has synced, and never under an id made before its epoch.</summary>
public sealed class ClaimDrainTests
{
    private static PingMirror NewMirror(int shards) => new(new UdpGatewayOptions { ShardsPerGateway = shards, ClientExpirationSeconds = 120, MaxClients = 1_000, MaxClientsPerIp = 1_000 });

    private static readonly PackedAddress Local = new(0, 0x0000_FFFF_7F00_0001UL);

    private static ClientEndpoint Loopback(int i) => new(new PackedAddress(0, 0x0000_FFFF_7F00_0000UL + (uint)i), 40_000);

    [Fact]
    public void Only_the_shards_named_ready_are_drained_the_others_keep_their_claims()
    {
        var mirror = NewMirror(shards: 4);
        var clients = Enumerable.Range(1, 200).Select(Loopback).ToArray();
        foreach (var client in clients) mirror.Admit(client, Local, false, 0);

        var first = mirror.DrainClaims(10, shard => shard == 1);
        Assert.NotEmpty(first);
        Assert.All(first, claim => Assert.Equal(1, claim.Shard));
        Assert.Equal(clients.Length - first.Count, mirror.ClaimsQueued);

        Assert.Empty(mirror.DrainClaims(20, _ => false));
        var rest = mirror.DrainClaims(30, _ => true);
        Assert.Equal(clients.Length, first.Count + rest.Count);
        Assert.DoesNotContain(rest, claim => claim.Shard == 1);
        Assert.Equal(clients.OrderBy(c => c.Address.Low), first.Concat(rest).Select(claim => claim.Member.Client).OrderBy(c => c.Address.Low));
        Assert.Equal(0, mirror.ClaimsQueued);
    }

    [Fact]
    public void A_claim_made_before_the_epoch_was_granted_leaves_under_a_new_id_above_the_floor()
    {
        var mirror = NewMirror(shards: 1);
        var early = Loopback(1);
        mirror.Admit(early, Local, false, 0);

        Assert.Empty(mirror.DrainClaims(10, _ => false)); // not synced yet: the claim waits
        mirror.Context.ClaimIds.StartEpoch(3);
        var late = Loopback(2);
        mirror.Admit(late, Local, false, 20);
        var claims = mirror.DrainClaims(30, _ => true);

        Assert.Equal(2, claims.Count);
        Assert.All(claims, claim => Assert.True(claim.Member.ClaimId > 3L << 32, $"{claim.Member.ClaimId:X}"));
        Assert.Equal(claims.Count, claims.Select(claim => claim.Member.ClaimId).Distinct().Count());
        // The entry holds the id that left: the cluster's answer finds it.
        mirror.Shards[0].CompleteClaims(claims.Select(claim => (claim, true)));
        Assert.True(mirror.Shards[0].IsRegistered(early));
    }
}
