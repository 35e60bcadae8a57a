using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Pinging;
using TixTrigger.Gateway.Udp;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.HotPath;

/// <summary>
/// The per-packet paths allocate nothing: at 100,000 clients, a single byte per ping would be
/// 100 KB of garbage a second. Measured on the thread doing the work, with real sockets.
/// </summary>
public sealed class AllocationTests
{
    private static readonly byte[] Ping = [0x75, 0x61];

    public static TheoryData<string> Binds => new() { "127.0.0.1", "0.0.0.0", "::" };

    [Theory]
    [MemberData(nameof(Binds))]
    public void Pinging_a_slot_of_members_allocates_nothing(string host)
    {
        using var socket = DatagramSocketFactory.Open(new IPEndPoint(IPAddress.Parse(host), 0));
        var mirror = new PingMirror(socket.Family, maxClients: 10_000, maxClientsPerIp: 10_000);
        using var receivers = new PingFleet(200);
        var local = PackedAddress.From(IPAddress.Loopback);
        long deadline = UnixTime.NowMs() + 60_000;
        foreach (var client in receivers.Clients)
        {
            mirror.Admit(ClientEndpoint.From(client.LocalEndpoint), local, deadline, UnixTime.NowMs(), shard: 0);
        }
        int SendSecond()
        {
            int sentInSecond = 0;
            for (int slot = 0; slot < PingMirror.SlotCount; slot++)
            {
                mirror.SendSlot(slot, UnixTime.NowMs(), socket, Ping, out int sent, out _);
                sentInSecond += sent;
            }
            return sentInSecond;
        }
        SendSecond(); // warm up (JIT, first-use caches)

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
        var mirror = new PingMirror(socket.Family, maxClients: 10_000, maxClientsPerIp: 10_000);
        using var senders = new PingFleet(50);
        var buffer = new byte[65_536];

        int Drain()
        {
            int received = 0;
            while (socket.TryReceive(buffer, TimeSpan.FromMilliseconds(200), out var datagram))
            {
                mirror.Admit(datagram.Remote, datagram.Local, UnixTime.NowMs() + 60_000, UnixTime.NowMs(), shard: 0);
                received++;
            }
            return received;
        }

        senders.Heartbeat(target);
        await Task.Delay(100);
        Assert.Equal(50, Drain()); // registers them, and warms up
        senders.Heartbeat(target);
        await Task.Delay(100);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int refreshed = Drain();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(50, refreshed);
        Assert.Equal(50, mirror.Count);
        Assert.Equal(0, allocated);
    }
}
