using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.Udp;
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
        foreach (var client in receivers.Clients) mirror.Admit(ClientEndpoint.From(client.LocalEndpoint), local, Monotonic.NowMs());
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

        long before = GC.GetAllocatedBytesForCurrentThread();
        int sentTotal = 0;
        for (int round = 0; round < 20; round++) sentTotal += SendSecond();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(20 * 200, sentTotal);
        Assert.Equal(0, allocated);
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
                for (int i = 0; i < got; i++) mirror.Admit(batch[i].Remote, batch[i].Local, now);
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
}
