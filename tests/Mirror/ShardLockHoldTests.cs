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
    /// The measurement: a 100,000-member snapshot merged again and again into a shard that holds
    /// them, while another thread collects a slot every 10 ms as the sender does. Prints the merge's
    /// duration and the worst time a slot's collection took.
    /// </summary>
    [Fact]
    public void A_snapshot_of_100000_merged_while_the_sender_collects_every_10_ms()
    {
        var mirror = NewMirror();
        var shard = mirror.Shards[0];
        var members = Snapshot(Members);
        shard.Merge(new ShardSnapshot(Guid.NewGuid(), 1, members, []), 0, _ => Assert.Fail("under every limit"));
        Assert.Equal(Members, shard.Count);

        using var stop = new CancellationTokenSource();
        var collections = new List<double>();
        var sender = new Thread(() =>
        {
            var batch = new PingBatch();
            var clock = Stopwatch.StartNew();
            long due = 0;
            for (int slot = 0; !stop.IsCancellationRequested; slot = (slot + 1) % SlotWheel.SlotCount)
            {
                due += 10;
                while (clock.ElapsedMilliseconds < due) Thread.Sleep(1);
                long started = Stopwatch.GetTimestamp();
                mirror.CollectSlot(slot, 1_000, batch);
                collections.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }) { IsBackground = true, Name = "collector" };
        sender.Start();

        var merges = new List<double>();
        for (int round = 0; round < 20; round++)
        {
            long started = Stopwatch.GetTimestamp();
            shard.Merge(new ShardSnapshot(Guid.NewGuid(), 1, members, []), 1_000, _ => Assert.Fail("under every limit"));
            merges.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Thread.Sleep(3);
        }
        stop.Cancel();
        sender.Join();

        merges.Sort();
        collections.Sort();
        output.WriteLine(
            $"merge of {Members:N0}: median {merges[merges.Count / 2]:F1} ms, worst {merges[^1]:F1} ms; " +
            $"slot collection over {collections.Count} slots: median {collections[collections.Count / 2]:F3} ms, " +
            $"p99 {collections[(int)(collections.Count * 0.99)]:F2} ms, worst {collections[^1]:F2} ms");
        Assert.Equal(Members, shard.Count);
    }
}
