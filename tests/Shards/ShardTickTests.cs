using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Shards;

/// <summary>What a shard grain sends its gateway each second, and what it keeps.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ShardTickTests(ClusterFixture fixture)
{
    private const int FarTtlMs = 600_000;

    private static ClientEndpoint Client(int i) => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 10_000 + i));

    private static ShardMember Member(int i, int ttlMs = FarTtlMs, long claimId = 100) =>
        new(Client(i), PackedAddress.From(IPAddress.Loopback), ttlMs, claimId);

    private async Task<(IPingShardGrain Shard, TickRecorder Recorder, IGatewayObserver Reference)> AttachedShard(int refreshLagMs = 30_000)
    {
        var recorder = new TickRecorder();
        var reference = fixture.Grains.CreateObjectReference<IGatewayObserver>(recorder);
        var shard = fixture.Grains.GetGrain<IPingShardGrain>(ShardKey.Format($"ticks-{Guid.NewGuid():N}", 0));
        await shard.Attach(reference, TestProcesses.New(refreshLagMs));
        return (shard, recorder, reference);
    }

    [Fact]
    public async Task Ticks_come_every_second_in_sequence_and_carry_nothing_while_nothing_is_removed()
    {
        var (shard, recorder, reference) = await AttachedShard();
        await shard.Join([.. Enumerable.Range(0, 50).Select(i => Member(i))]);

        Assert.True(await Eventually.True(() => recorder.Ticks.Count >= 3, TimeSpan.FromSeconds(5)));
        var ticks = recorder.Ticks;
        Assert.All(ticks, tick => Assert.Empty(tick.Removals));
        for (int i = 1; i < ticks.Count; i++) Assert.Equal(ticks[i - 1].Sequence + 1, ticks[i].Sequence);
        Assert.Equal(50, (await shard.GetSnapshot()).Members.Length);
        GC.KeepAlive(reference);
    }

    [Fact]
    public async Task A_member_that_moved_away_is_sent_once_as_a_removal_naming_its_claim()
    {
        var (shard, recorder, reference) = await AttachedShard();
        await shard.Join([Member(1), Member(2, claimId: 7)]);

        await shard.Leave([new ShardRemoval(Client(2), 7, RemovalReason.Moved)]);
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        var removal = Assert.Single(recorder.Ticks.SelectMany(t => t.Removals));
        Assert.Equal(new ShardRemoval(Client(2), 7, RemovalReason.Moved), removal);
        var snapshot = await shard.GetSnapshot();
        Assert.Equal([Client(1)], snapshot.Members.Select(m => m.Client));
        Assert.Contains(removal, snapshot.Departed);
        GC.KeepAlive(reference);
    }

    [Fact]
    public async Task A_late_leave_or_join_never_undoes_a_later_claim()
    {
        var (shard, _, reference) = await AttachedShard();
        await shard.Join([Member(1, claimId: 20)]); // moved away under claim 10 and came back under 20

        await shard.Leave([new ShardRemoval(Client(1), 10, RemovalReason.Moved)]); // the first move's Leave, arriving late
        Assert.Equal(20, Assert.Single((await shard.GetSnapshot()).Members).ClaimId);

        await shard.Leave([new ShardRemoval(Client(1), 20, RemovalReason.Moved)]);
        await shard.Join([Member(1, claimId: 20)]); // the join of that claim, arriving after its move
        await shard.Refresh([Member(1, claimId: 20)]);
        Assert.Empty((await shard.GetSnapshot()).Members);
        GC.KeepAlive(reference);
    }

    [Fact]
    public async Task A_refresh_extends_a_member_but_never_adds_one()
    {
        var (shard, _, reference) = await AttachedShard();
        await shard.Join([Member(1, ttlMs: 10_000)]);

        await shard.Refresh([Member(1, ttlMs: 50_000), Member(2, ttlMs: 50_000)]);

        var member = Assert.Single((await shard.GetSnapshot()).Members);
        Assert.InRange(member.TtlMs, 45_000, 50_000);
        GC.KeepAlive(reference);
    }

    [Fact]
    public async Task The_safety_net_expiry_waits_for_the_gateways_refresh_lag_then_removes_and_releases_the_owner()
    {
        var (shard, recorder, reference) = await AttachedShard(refreshLagMs: 1_000);
        var member = Member(1, ttlMs: 500, claimId: 3);
        var partition = fixture.Grains.GetGrain<IClientPartitionGrain>(ClientPartitions.Of(member.Client));
        var key = ShardKey.Parse(shard.GetPrimaryKeyString());
        await partition.Claim(key.GatewayId, [new ClientClaim(member.Client, key.Index, member.ClaimId, member.TtlMs, AgeMs: 0)]);
        await shard.Join([member]);

        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(recorder.Ticks.SelectMany(t => t.Removals)); // deadline 0.5 s, but the gateway may be 1 s behind, plus a margin

        Assert.True(await Eventually.True(() => recorder.Ticks.Any(t => t.Removals.Length > 0), TimeSpan.FromSeconds(6)));
        Assert.Equal(new ShardRemoval(member.Client, 3, RemovalReason.Expired), recorder.Ticks.SelectMany(t => t.Removals).Single());
        Assert.True(await Eventually.True(async () => await partition.GetOwner(member.Client) is null, TimeSpan.FromSeconds(2)));
        GC.KeepAlive(reference);
    }

    [Fact]
    public async Task A_refill_adds_what_the_shard_lacks_and_keeps_later_claims()
    {
        var (shard, _, reference) = await AttachedShard();
        await shard.Join([Member(1, ttlMs: 50_000, claimId: 9)]);

        await shard.Refill([Member(1, ttlMs: 10_000, claimId: 8), Member(2, ttlMs: 20_000), Member(3, ttlMs: 0)]);

        var members = (await shard.GetSnapshot()).Members.ToDictionary(m => m.Client);
        Assert.Equal([Client(1), Client(2)], members.Keys.OrderBy(c => c.Port));
        Assert.Equal(9, members[Client(1)].ClaimId);
        Assert.InRange(members[Client(2)].TtlMs, 15_000, 20_000);
        GC.KeepAlive(reference);
    }

    [Fact]
    public async Task An_empty_shard_read_before_its_gateway_announces_itself_is_the_same_shard_when_it_does()
    {
        var shard = fixture.Grains.GetGrain<IPingShardGrain>(ShardKey.Format($"ticks-{Guid.NewGuid():N}", 0));
        var read = await shard.GetSnapshot();

        // A gateway announces itself every 2 s; by then the shard has ticked twice with nobody attached.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var recorder = new TickRecorder();
        var reference = fixture.Grains.CreateObjectReference<IGatewayObserver>(recorder);
        var status = (await shard.Attach(reference, TestProcesses.New())).Status;

        Assert.Equal(read.Epoch, status.Epoch);
        GC.KeepAlive(reference);
    }
}
