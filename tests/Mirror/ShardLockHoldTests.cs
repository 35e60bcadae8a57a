using System.Diagnostics;
using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Messages;
using TixTrigger.Settings;
using Xunit.Abstractions;

namespace TixTrigger.Tests.Mirror;

/// <summary>
/// Whole-shard work (a snapshot's merge, a refill, the cluster's gateways, a partition's re-claims)
/// must not hold the shard's lock for long: the sending thread takes it every 10 ms slot. The
/// wall-clock figure is printed (docs/BENCHMARKS.md); what is asserted is structural, so a loaded
/// machine cannot fail it.
/// </summary>
public sealed class ShardLockHoldTests(ITestOutputHelper output)
{
    private const int Members = 100_000;

    private static PingMirror NewMirror() => new(new UdpGatewayOptions
    {
        ShardsPerGateway = 1,
        ClientExpirationSeconds = 120,
        MaxClients = 2 * Members,
        MaxClientsPerIp = Members,
    });

    /// <summary>Loopback sources (exempt from the per-network rules), 50,000 ports per address.</summary>
    private static ShardMember[] Snapshot(int count)
    {
        var local = PackedAddress.From(IPAddress.Loopback);
        var members = new ShardMember[count];
        for (int i = 0; i < count; i++)
        {
            var client = ClientEndpoint.From(new IPEndPoint(new IPAddress(new byte[] { 127, 0, 1, (byte)(1 + i / 50_000) }), 1 + i % 50_000));
            members[i] = new ShardMember(client, local, TtlMs: 100_000, ClaimId: i + 1);
        }
        return members;
    }

    /// <summary>
    /// Every whole-shard walk holds the lock for a bounded number of entries, whatever the shard's
    /// size: the merge's three passes, a refill, the cluster's gateways, a partition's re-claims.
    /// </summary>
    [Fact]
    public void No_whole_shard_walk_holds_the_lock_for_more_than_a_chunk_of_entries()
    {
        var mirror = NewMirror();
        var shard = mirror.Shards[0];
        var members = Snapshot(Members);
        var departed = members.Take(5_000).Select(m => new ShardRemoval(m.Client, m.ClaimId, RemovalReason.Moved)).ToArray();

        shard.Merge(new ShardSnapshot(Guid.NewGuid(), 1, members, []), 0, _ => Assert.Fail("under every limit"));
        shard.Merge(new ShardSnapshot(Guid.NewGuid(), 2, members[5_000..], departed), 1_000, _ => Assert.Fail("under every limit"));
        Assert.Equal(Members - 5_000, shard.Count);
        Assert.Equal(Members - 5_000, shard.MembersForRefill(2_000).Length);
        Assert.Equal(0, shard.RemoveClusterGateways());
        var owned = Enumerable.Range(0, Grains.ClientPartitions.Count).Sum(partition => mirror.OwnedIn(partition, 2_000).Count);
        Assert.Equal(Members - 5_000, owned);

        Assert.InRange(shard.LargestHold, 1, MirrorShard.EntriesPerHold);
    }

    /// <summary>
    /// The measurement: a 100,000-member snapshot merged again and again into a shard that holds
    /// them, while another thread collects a slot every 10 ms as the sender does; beside it, the same
    /// collections with no merge (what the machine's load alone costs). Prints both; asserts nothing
    /// about time. Figures: docs/BENCHMARKS.md, "A snapshot's merge and the sender".
    /// </summary>
    [Fact]
    public void A_snapshot_of_100000_merged_while_the_sender_collects_every_10_ms()
    {
        var mirror = NewMirror();
        var shard = mirror.Shards[0];
        var members = Snapshot(Members);
        shard.Merge(new ShardSnapshot(Guid.NewGuid(), 1, members, []), 0, _ => Assert.Fail("under every limit"));
        Assert.Equal(Members, shard.Count);

        var alone = Collect(mirror, () => Thread.Sleep(1_500));
        var merges = new List<double>();
        var merging = Collect(mirror, () =>
        {
            for (int round = 0; round < 20; round++)
            {
                long started = Stopwatch.GetTimestamp();
                shard.Merge(new ShardSnapshot(Guid.NewGuid(), 1, members, []), 1_000, _ => Assert.Fail("under every limit"));
                merges.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Thread.Sleep(3);
            }
        });

        merges.Sort();
        output.WriteLine($"merge of {Members:N0} members: median {merges[merges.Count / 2]:F1} ms, worst {merges[^1]:F1} ms");
        output.WriteLine($"slot collection, no merge:     {Summary(alone)}");
        output.WriteLine($"slot collection, during merges: {Summary(merging)}");
        Assert.Equal(Members, shard.Count);
    }

    /// <summary>Runs <paramref name="work"/> while a thread collects one slot every 10 ms; returns how long each collection took (ms).</summary>
    private static List<double> Collect(PingMirror mirror, Action work)
    {
        using var stop = new CancellationTokenSource();
        var collections = new List<double>(1_000);
        var sender = new Thread(() =>
        {
            Gateway.Pinging.SenderPriority.TryRaiseCurrentThread(); // as the gateway's sender does (nice -10, where it may)
            var batch = new PingBatch();
            var clock = Stopwatch.StartNew();
            long due = 0;
            for (int slot = 0; !stop.IsCancellationRequested; slot = (slot + 1) % SlotWheel.SlotCount)
            {
                due += SlotWheel.SlotMs;
                while (clock.ElapsedMilliseconds < due) Thread.Sleep(1);
                long started = Stopwatch.GetTimestamp();
                mirror.CollectSlot(slot, 1_000, batch);
                collections.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }) { IsBackground = true, Name = "collector" };
        sender.Start();
        work();
        stop.Cancel();
        sender.Join();
        collections.Sort();
        return collections;
    }

    private static string Summary(List<double> sorted) =>
        $"{sorted.Count} slots, median {sorted[sorted.Count / 2]:F2} ms, p99 {sorted[(int)(sorted.Count * 0.99)]:F2} ms, worst {sorted[^1]:F2} ms";
}
