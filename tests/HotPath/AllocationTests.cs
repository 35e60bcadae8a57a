using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.Udp;
using TixTrigger.Grains;
using TixTrigger.Protocol;
using TixTrigger.Settings;
using TixTrigger.Tests.Infrastructure;
using TixTrigger.Time;

namespace TixTrigger.Tests.HotPath;

/// <summary>
/// The per-packet paths allocate nothing: at 100,000 clients, a single byte per ping would be
/// 100 KB of garbage a second. Measured on the thread doing the work, with real sockets.
/// </summary>
public sealed class AllocationTests
{
    public static TheoryData<string> Binds => new() { "127.0.0.1", "0.0.0.0", "::" };

    private static PingMirror NewMirror() => new(new UdpGatewayOptions { ShardsPerGateway = 4, MaxClients = 10_000, MaxClientsPerIp = 10_000 });

    [Theory]
    [MemberData(nameof(Binds))]
    public void Pinging_a_slot_of_members_allocates_nothing(string host)
    {
        using var socket = DatagramSocketFactory.Open(new IPEndPoint(IPAddress.Parse(host), 0));
        var mirror = NewMirror();
        using var receivers = new PingFleet(200);
        var local = PackedAddress.From(IPAddress.Loopback);
        foreach (var client in receivers.Clients) mirror.Admit(ClientEndpoint.From(client.LocalEndpoint), local, false, Monotonic.NowMs());
        var batch = new PingBatch();
        int SendSecond()
        {
            int sentInSecond = 0;
            for (int slot = 0; slot < SlotWheel.SlotCount; slot++)
            {
                mirror.CollectSlot(slot, Monotonic.NowMs(), batch);
                sentInSecond += socket.Send(batch.Items, Ping.Bytes);
            }
            return sentInSecond;
        }
        SendSecond(); // warm up (JIT, first-use caches, buffers grown to the largest slot)

        // Three windows of 20 seconds' worth each. A per-ping allocation shows in every window; the
        // runtime's own one-off work on this thread (seen once in a full test run: 1,472 bytes) in one.
        var windows = new long[3];
        for (int window = 0; window < windows.Length; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            int sentTotal = 0;
            for (int round = 0; round < 20; round++) sentTotal += SendSecond();
            windows[window] = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(20 * 200, sentTotal);
        }

        Assert.True(windows.Min() == 0, $"bytes allocated per window of 4,000 pings: {string.Join(", ", windows)}");
    }

    [Theory]
    [MemberData(nameof(Binds))]
    public async Task Receiving_and_refreshing_known_clients_allocates_nothing(string host)
    {
        using var socket = DatagramSocketFactory.Open(new IPEndPoint(IPAddress.Parse(host), 0));
        var target = new IPEndPoint(IPAddress.Loopback, socket.LocalEndpoint.Port); // "::" is dual-stack
        var mirror = NewMirror();
        using var senders = new PingFleet(200);
        var batch = new ReceivedDatagram[64];

        int Drain()
        {
            int received = 0, got;
            while ((got = socket.Receive(batch, TimeSpan.FromMilliseconds(200))) > 0)
            {
                long now = Monotonic.NowMs();
                for (int i = 0; i < got; i++) mirror.Admit(batch[i].Remote, batch[i].Local, false, now);
                received += got;
            }
            return received;
        }

        senders.Heartbeat(target);
        await Task.Delay(100);
        Assert.Equal(200, Drain()); // registers them, and warms up
        senders.Heartbeat(target);
        await Task.Delay(100);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int refreshed = Drain();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(200, refreshed);
        Assert.Equal(200, mirror.Count);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Refusing_or_replacing_new_clients_allocates_nothing()
    {
        // Every limit in play: per prefix (no exemption), rates, capacity, stale sign-ups.
        var mirror = new PingMirror(new UdpGatewayOptions
        {
            ShardsPerGateway = 4,
            ClientExpirationSeconds = 10,
            MaxClients = 1_000,
            MaxPingsPerSecondPerPrefix = 100,
            NewClientsPerSecond = 1_000_000,
            NewClientsPerSecondPerPrefix = 1_000_000,
            PrefixLimitsExempt = [],
        });
        var local = PackedAddress.From(IPAddress.Loopback);
        // Each source in a /24 of its own: the per-prefix cap is not what refuses them.
        static ClientEndpoint Source(int i) => new(new PackedAddress(0, 0x0000_FFFF_0000_0000UL + (uint)(i * 256)), (ushort)(i % 60_000 + 1));
        int Flood(int first, int count, long nowMs, Admission expected)
        {
            int matching = 0;
            for (int i = first; i < first + count; i++)
            {
                if (mirror.Admit(Source(i), local, false, nowMs) == expected) matching++;
            }
            return matching;
        }
        long Allocated(Action action)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Flood(0, 1_000, nowMs: 0, Admission.Added);

        // While every entry is young, a full gateway refuses (the first round warms up its paths).
        Flood(100_000, 5_000, nowMs: 1_000, Admission.Refused(DropReason.OverCapacity));
        int refused = 0;
        long allocated = Allocated(() => refused = Flood(200_000, 20_000, nowMs: 1_000, Admission.Refused(DropReason.OverCapacity)));
        // Half an expiry later the one-datagram entries are stale, and newcomers replace them.
        Flood(300_000, 300, nowMs: 6_000, Admission.Replaced);
        mirror.DrainClaims(6_000, _ => true);
        // As the flusher does every 50 ms: the networks whose counts changed are taken for the budget grains.
        mirror.Context.Admission.TakeBudgetReports([], [], new bool[PrefixBudgets.Count]);
        int replaced = 0;
        allocated += Allocated(() => replaced = Flood(400_000, 300, nowMs: 6_000, Admission.Replaced));

        Assert.Equal(20_000, refused);
        Assert.True(replaced > 250, $"{replaced} replaced");
        Assert.Equal(0, allocated);
    }
}
