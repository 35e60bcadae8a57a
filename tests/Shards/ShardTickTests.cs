using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Shards;

[Collection(ClusterCollection.Name)]
public sealed class ShardTickTests(ClusterFixture fixture)
{
    private static ShardMember Member(int i, long deadlineUnixMs) =>
        new(ClientEndpoint.From(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 10_000 + i)), PackedAddress.From(IPAddress.Loopback), deadlineUnixMs);

    private async Task<(IPingShardGrain Shard, TickRecorder Recorder, IGatewayObserver Reference)> AttachedShard()
    {
        var recorder = new TickRecorder();
        var reference = fixture.Grains.CreateObjectReference<IGatewayObserver>(recorder);
        var shard = fixture.Grains.GetGrain<IPingShardGrain>(ShardKey.Format($"ticks-{Guid.NewGuid():N}", 0));
        await shard.Attach(reference);
        return (shard, recorder, reference);
    }

    [Fact]
    public async Task A_tick_carries_only_what_changed_since_the_last_one()
    {
        var (shard, recorder, reference) = await AttachedShard();
        long farDeadline = UnixTime.NowMs() + 600_000;
        for (int i = 0; i < 50; i++) await shard.Join(Member(i, farDeadline));

        Assert.True(await Eventually.True(() => recorder.Ticks.Sum(t => t.Upserts.Length) >= 50, TimeSpan.FromSeconds(3)));
        Assert.Equal(50, recorder.Ticks.SelectMany(t => t.Upserts).Select(m => m.Client).Distinct().Count());

        recorder.Clear();
        Assert.True(await Eventually.True(() => recorder.Ticks.Count >= 3, TimeSpan.FromSeconds(5)));
        var quiet = recorder.Ticks;
        Assert.All(quiet, tick =>
        {
            Assert.Empty(tick.Upserts);
            Assert.Empty(tick.Removals);
        });
        for (int i = 1; i < quiet.Count; i++) Assert.Equal(quiet[i - 1].Sequence + 1, quiet[i].Sequence);

        await shard.Join(Member(7, farDeadline + 1_000));
        Assert.True(await Eventually.True(() => recorder.Ticks.Any(t => t.Upserts.Length > 0), TimeSpan.FromSeconds(3)));
        var refreshed = Assert.Single(recorder.Ticks.SelectMany(t => t.Upserts));
        Assert.Equal(Member(7, 0).Client, refreshed.Client);
        GC.KeepAlive(reference);
    }

    [Fact]
    public async Task Leaving_and_expiring_members_are_sent_once_as_removals()
    {
        var (shard, recorder, reference) = await AttachedShard();
        var staying = Member(1, UnixTime.NowMs() + 600_000);
        var leaving = Member(2, UnixTime.NowMs() + 600_000);
        var expiring = Member(3, UnixTime.NowMs() + 1_500);
        await shard.Join(staying);
        await shard.Join(leaving);
        await shard.Join(expiring);
        await shard.Leave(leaving.Client, leaving.DeadlineUnixMs);

        await Task.Delay(TimeSpan.FromSeconds(4));

        var removals = recorder.Ticks.SelectMany(t => t.Removals).Select(m => m.Client).ToList();
        Assert.Equal(2, removals.Count);
        Assert.Contains(leaving.Client, removals);
        Assert.Contains(expiring.Client, removals);
        var snapshot = await shard.GetSnapshot();
        Assert.Equal([staying.Client], snapshot.Members.Select(m => m.Client));
        GC.KeepAlive(reference);
    }

    [Fact]
    public async Task A_late_leave_does_not_remove_a_client_that_rejoined_since()
    {
        var (shard, _, reference) = await AttachedShard();
        long now = UnixTime.NowMs();
        await shard.Join(Member(1, now + 10_000));
        await shard.Join(Member(1, now + 20_000)); // moved away and came back: a newer heartbeat

        await shard.Leave(Member(1, 0).Client, now + 10_000); // the Leave of the first move, arriving late

        Assert.Single((await shard.GetSnapshot()).Members);
        await shard.Leave(Member(1, 0).Client, now + 20_000);
        Assert.Empty((await shard.GetSnapshot()).Members);
        GC.KeepAlive(reference);
    }

    [Fact]
    public async Task A_refill_merges_members_keeping_the_later_deadline()
    {
        var (shard, _, reference) = await AttachedShard();
        long now = UnixTime.NowMs();
        await shard.Join(Member(1, now + 50_000));

        var snapshot = await shard.Refill([Member(1, now + 10_000), Member(2, now + 20_000), Member(3, now - 1)]);

        Assert.Equal(2, snapshot.Members.Length);
        Assert.Equal(now + 50_000, snapshot.Members.Single(m => m.Client == Member(1, 0).Client).DeadlineUnixMs);
        Assert.Equal(now + 20_000, snapshot.Members.Single(m => m.Client == Member(2, 0).Client).DeadlineUnixMs);
        GC.KeepAlive(reference);
    }
}
