using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Harness;

/// <summary>
/// The tests' clients record when a ping arrived, not when their reader got to it: the gap and
/// interval checks depend on it, on a machine whose cores are busy with other work.
/// </summary>
public sealed class ArrivalTimesTests
{
    [Fact]
    public void A_datagram_read_late_is_recorded_at_its_arrival()
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        ArrivalTimes.Enable(receiver);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        // The kernel turns stamping on for the whole host from a work queue, a moment after the first
        // socket asks (later on a busy host): until then a datagram is stamped when it is read.
        Assert.True(SpinWait.SpinUntil(() => StampsArrivals(receiver, sender), TimeSpan.FromSeconds(10)), "the kernel never stamped a datagram on arrival");

        for (int i = 0; i < 3; i++)
        {
            long before = Stopwatch.GetTimestamp();
            sender.SendTo(new byte[] { 0x75, 0x61 }, receiver.LocalEndPoint!);
            long after = Stopwatch.GetTimestamp();
            Thread.Sleep(300); // a reader held back: by a collection, or by another process on its core
            var buffer = new byte[16];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            Assert.Equal(2, receiver.ReceiveFrom(buffer, ref from));
            long arrived = ArrivalTimes.OfLastRead(receiver);
            // Loopback delivers within the send call; the read came at least 300 ms later. The clocks are read a moment apart: 1 ms of slack.
            long slack = Stopwatch.Frequency / 1000;
            Assert.InRange(arrived, before - slack, after + slack);
        }
    }

    private static bool StampsArrivals(Socket receiver, Socket sender)
    {
        long sent = Stopwatch.GetTimestamp();
        sender.SendTo(new byte[] { 0x75, 0x61 }, receiver.LocalEndPoint!);
        Thread.Sleep(50);
        var buffer = new byte[16];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        receiver.ReceiveFrom(buffer, ref from);
        return ArrivalTimes.OfLastRead(receiver) < sent + Stopwatch.Frequency / 100;
    }
}
