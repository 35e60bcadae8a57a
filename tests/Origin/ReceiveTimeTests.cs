using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Udp;
using TixTrigger.Time;
using static TixTrigger.Gateway.Udp.LinuxSocketInterop;

namespace TixTrigger.Tests.Origin;

/// <summary>
/// A datagram keeps the time it reached the host, however late the gateway reads it: a saturated
/// gateway reads its queue hundreds of ms late, and the echo rule judges a datagram's phase against
/// our pings' send times, so a read-time stamp makes a phone on its own timer look like an echo.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed unsafe class ReceiveTimeTests : IClassFixture<KernelStampsOn>
{
    private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(400);

    public static TheoryData<string> Binds => new() { "127.0.0.1", "0.0.0.0", "::" };

    [Theory]
    [MemberData(nameof(Binds))]
    public void A_datagram_read_late_keeps_the_time_it_arrived(string host)
    {
        using var socket = new LinuxDatagramSocket(new IPEndPoint(IPAddress.Parse(host), 0));
        using var phone = Phone();
        var target = new IPEndPoint(IPAddress.Loopback, socket.LocalEndpoint.Port); // "::" is dual-stack

        long sentMs = Monotonic.NowMs();
        phone.SendTo(new byte[4], target);
        Thread.Sleep(Late);
        var datagram = ReceiveOne(socket);
        long readMs = Monotonic.NowMs();

        Assert.Equal(4, datagram.Length);
        Assert.True(readMs - datagram.ArrivedMs >= 350, $"read {readMs - datagram.ArrivedMs} ms after it arrived; slept {Late.TotalMilliseconds} ms");
        Assert.InRange(datagram.ArrivedMs, sentMs - 10, readMs); // the monotonic clock ticks in steps of a few ms
    }

    [Fact]
    public void Datagrams_read_in_one_batch_keep_their_own_arrival_times()
    {
        using var socket = new LinuxDatagramSocket(new IPEndPoint(IPAddress.Loopback, 0));
        using var phone = Phone();
        phone.SendTo(new byte[1], socket.LocalEndpoint);
        Thread.Sleep(200);
        phone.SendTo(new byte[2], socket.LocalEndpoint);
        Thread.Sleep(200);

        var into = new ReceivedDatagram[8];
        Assert.Equal(2, socket.Receive(into, TimeSpan.FromSeconds(2)));

        Assert.InRange(into[1].ArrivedMs - into[0].ArrivedMs, 150, ArrivalClock.MaxAgeMs); // at least the 200 ms slept between them, however long that sleep took
    }

    [Fact]
    public void A_handed_over_socket_is_stamped_too()
    {
        // The predecessor's socket as a bare one (no option set): Adopt must ask for the stamps itself.
        using var predecessor = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        predecessor.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var boundAt = (IPEndPoint)predecessor.LocalEndPoint!;
        int copy = Fcntl((int)predecessor.Handle, FDupFdCloexec, 0);
        Assert.True(copy >= 0, $"fcntl(F_DUPFD_CLOEXEC): errno {Marshal.GetLastPInvokeError()}");
        using var socket = LinuxDatagramSocket.Adopt(new SafeSocketHandle(copy, ownsHandle: true), boundAt);
        using var phone = Phone();

        phone.SendTo(new byte[4], boundAt);
        Thread.Sleep(Late);
        var datagram = ReceiveOne(socket);
        long readMs = Monotonic.NowMs();

        Assert.True(readMs - datagram.ArrivedMs >= 350, $"read {readMs - datagram.ArrivedMs} ms after it arrived; slept {Late.TotalMilliseconds} ms");
        Assert.True(datagram.ArrivedMs <= readMs);
    }

    [Fact]
    public void The_control_buffer_holds_every_message_a_wildcard_IPv6_receive_gets()
    {
        // CMSG_SPACE of each: anything over the buffer is cut (MSG_CTRUNC) and the datagram dropped as malformed.
        int needed = Space(sizeof(In6PktInfo)) + Space(sizeof(uint)) + Space(sizeof(TimeSpec));
        Assert.Equal(96, needed);
        Assert.True(needed <= LinuxDatagramSocket.ControlBytes);
    }

    [Fact]
    public void A_well_formed_stamp_is_read_beside_the_destination()
    {
        var buffer = new byte[128];
        int end = Write(buffer, 0, IpProtoIp, IpPktInfo, new byte[sizeof(InPktInfo)]);
        end = Write(buffer, end, SolSocket, SoTimestampNs, Stamp(1_700_000_000, 123_456_789));

        var (found, stampNs) = Walk(buffer.AsSpan(0, end));

        Assert.True(found);
        Assert.Equal(1_700_000_000_123_456_789, stampNs);
    }

    [Theory]
    [InlineData(8, 1_700_000_000L, 0L)]                 // half a timespec
    [InlineData(15, 1_700_000_000L, 0L)]                // one byte short
    [InlineData(16, 1_700_000_000L, 1_000_000_000L)]    // nanoseconds out of range
    [InlineData(16, 1_700_000_000L, -1L)]
    [InlineData(16, 0L, 5L)]                            // no time at all
    [InlineData(16, -1L, 0L)]
    [InlineData(16, long.MaxValue, 0L)]                 // would overflow as ns
    public void A_malformed_stamp_is_ignored_and_the_datagram_taken_as_arriving_now(int dataLength, long seconds, long nanoseconds)
    {
        var buffer = new byte[128];
        int end = Write(buffer, 0, SolSocket, SoTimestampNs, Stamp(seconds, nanoseconds).AsSpan(0, dataLength));
        end = Write(buffer, end, SolSocket, SoRxqOvfl, BitConverter.GetBytes(7u)); // the walk goes on past it

        var local = PackedAddress.From(IPAddress.Any);
        long overflows = 0;
        long stampNs = ArrivalClock.NoStamp;
        ControlMessages.TryRead(buffer.AsSpan(0, end), ref local, ref overflows, ref stampNs);

        Assert.Equal(ArrivalClock.NoStamp, stampNs);
        Assert.Equal(7, overflows);
        Assert.Equal(5_000, new ArrivalClock(1_700_000_000_000_000_000, 5_000).ArrivedMs(stampNs));
    }

    [Fact]
    public void A_stamp_cut_off_by_the_buffer_end_is_not_read()
    {
        var buffer = new byte[128];
        int end = Write(buffer, 0, SolSocket, SoTimestampNs, Stamp(1_700_000_000, 0));

        var (_, stampNs) = Walk(buffer.AsSpan(0, end - 1));

        Assert.Equal(ArrivalClock.NoStamp, stampNs);
    }

    [Theory]
    [InlineData(300, 9_700)]            // queued 300 ms
    [InlineData(0, 10_000)]
    [InlineData(-50, 10_000)]           // a stamp after our real-time read (the clocks' grain, a step back): now, never later
    [InlineData(5_000, 5_000)]
    [InlineData(60_000, 10_000)]        // the wall clock stepped forward: no queue is that long, so now
    public void A_stamp_is_put_on_the_monotonic_clock_never_in_the_future_nor_far_in_the_past(long ageMs, long expectedMs)
    {
        const long realNowNs = 1_700_000_000_000_000_000;
        var clock = new ArrivalClock(realNowNs, 10_000);

        Assert.Equal(expectedMs, clock.ArrivedMs(realNowNs - ageMs * 1_000_000));
        Assert.Equal(10_000, clock.ArrivedMs(ArrivalClock.NoStamp));
    }

    [Fact]
    public void Random_timestamp_messages_never_throw_and_never_give_a_time_outside_the_window()
    {
        var random = new Random(18);
        var buffer = new byte[256];
        var clock = ArrivalClock.Now();
        for (int i = 0; i < 100_000; i++)
        {
            random.NextBytes(buffer);
            Write(buffer, 0, SolSocket, SoTimestampNs, buffer.AsSpan(100, 20), claimedLength: (nuint)random.Next(0, 300));
            var (_, stampNs) = Walk(buffer.AsSpan(0, random.Next(0, buffer.Length + 1)));
            Assert.InRange(clock.ArrivedMs(stampNs), clock.NowMs - ArrivalClock.MaxAgeMs, clock.NowMs);
        }
    }

    private static Socket Phone()
    {
        var phone = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        phone.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return phone;
    }

    private static ReceivedDatagram ReceiveOne(IDatagramSocket socket)
    {
        var into = new ReceivedDatagram[1];
        Assert.Equal(1, socket.Receive(into, TimeSpan.FromSeconds(2)));
        return into[0];
    }

    private static byte[] Stamp(long seconds, long nanoseconds)
    {
        var stamp = new TimeSpec { Seconds = seconds, Nanoseconds = nanoseconds };
        var data = new byte[sizeof(TimeSpec)];
        MemoryMarshal.Write(data, in stamp);
        return data;
    }

    /// <summary>Writes one control message at <paramref name="offset"/>, as 64-bit Linux lays it out; returns where the next one starts.</summary>
    private static int Write(byte[] buffer, int offset, int level, int type, ReadOnlySpan<byte> data, nuint? claimedLength = null)
    {
        var header = new CmsgHdr { Length = claimedLength ?? (nuint)(CmsgHeaderSize + data.Length), Level = level, Type = type };
        MemoryMarshal.Write(buffer.AsSpan(offset), in header);
        data.CopyTo(buffer.AsSpan(offset + CmsgHeaderSize));
        return offset + Space(data.Length);
    }

    private static (bool Found, long StampNs) Walk(ReadOnlySpan<byte> control)
    {
        var local = PackedAddress.From(IPAddress.Any);
        long overflows = 0;
        long stampNs = ArrivalClock.NoStamp;
        bool found = ControlMessages.TryRead(control, ref local, ref overflows, ref stampNs);
        return (found, stampNs);
    }
}
