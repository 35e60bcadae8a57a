using System.Net;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Udp;
using static TixTrigger.Gateway.Udp.LinuxSocketInterop;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// The walk over a received datagram's control data (the address it was sent to, the kernel's drop
/// count) survives anything the kernel could hand it: cut short (<c>MSG_CTRUNC</c>), lengths that
/// lie, buffers of any size. Crafted buffers, laid out as 64-bit Linux lays them out.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed unsafe class ControlMessageTests
{
    private static readonly PackedAddress Bound = PackedAddress.From(IPAddress.Any);

    /// <summary>Writes one control message at <paramref name="offset"/>; returns where the next one starts.</summary>
    private static int Write(byte[] buffer, int offset, int level, int type, ReadOnlySpan<byte> data, nuint? claimedLength = null)
    {
        var header = new CmsgHdr { Length = claimedLength ?? (nuint)(CmsgHeaderSize + data.Length), Level = level, Type = type };
        MemoryMarshal.Write(buffer.AsSpan(offset), in header);
        data.CopyTo(buffer.AsSpan(offset + CmsgHeaderSize));
        return offset + Space(data.Length);
    }

    private static byte[] PktInfo(string destination)
    {
        var data = new byte[sizeof(InPktInfo)];
        IPAddress.Parse(destination).TryWriteBytes(data.AsSpan(4, 4), out _); // ipi_spec_dst
        return data;
    }

    private static (bool Found, PackedAddress Local, long Overflows) Walk(ReadOnlySpan<byte> control)
    {
        var local = Bound;
        long overflows = 0, stampNs = 0;
        bool found = ControlMessages.TryRead(control, ref local, ref overflows, ref stampNs);
        return (found, local, overflows);
    }

    [Fact]
    public void A_well_formed_buffer_gives_the_destination_and_the_drop_count()
    {
        var buffer = new byte[128];
        int end = Write(buffer, 0, IpProtoIp, IpPktInfo, PktInfo("127.0.0.9"));
        end = Write(buffer, end, SolSocket, SoRxqOvfl, BitConverter.GetBytes(42u));

        var (found, local, overflows) = Walk(buffer.AsSpan(0, end));

        Assert.True(found);
        Assert.Equal(PackedAddress.From(IPAddress.Parse("127.0.0.9")), local);
        Assert.Equal(42, overflows);
    }

    [Fact]
    public void An_IPv6_destination_is_read_too()
    {
        var data = new byte[sizeof(In6PktInfo)];
        IPAddress.Parse("2001:db8::5").TryWriteBytes(data, out _);
        var buffer = new byte[128];
        int end = Write(buffer, 0, IpProtoIpv6, Ipv6PktInfo, data);

        var (found, local, _) = Walk(buffer.AsSpan(0, end));

        Assert.True(found);
        Assert.Equal(PackedAddress.From(IPAddress.Parse("2001:db8::5")), local);
    }

    [Theory]
    [InlineData(0)]   // nothing
    [InlineData(8)]   // half a header
    [InlineData(16)]  // a header, no data
    [InlineData(24)]  // a header and part of its data
    [InlineData(27)]  // one byte short of its data (28 with the header; padding follows)
    public void A_buffer_cut_short_is_read_up_to_the_cut_and_no_further(int length)
    {
        var buffer = new byte[128];
        Write(buffer, 0, IpProtoIp, IpPktInfo, PktInfo("127.0.0.9"));

        var (found, local, _) = Walk(buffer.AsSpan(0, length));

        Assert.False(found);
        Assert.Equal(Bound, local);
    }

    [Theory]
    [InlineData(0UL)]                 // would loop forever if trusted
    [InlineData(15UL)]                // shorter than its own header
    [InlineData(33UL)]                // longer than the buffer
    [InlineData(0x7FFF_FFFF_FFFF_FFFFUL)]
    [InlineData(ulong.MaxValue)]
    public void A_length_that_lies_ends_the_walk(ulong claimed)
    {
        var buffer = new byte[32];
        Write(buffer, 0, IpProtoIp, IpPktInfo, PktInfo("127.0.0.9"), claimedLength: (nuint)claimed);

        var (found, _, _) = Walk(buffer);

        Assert.False(found);
    }

    [Fact]
    public void Data_too_short_for_its_type_is_skipped_and_the_next_message_still_read()
    {
        var buffer = new byte[128];
        int end = Write(buffer, 0, IpProtoIp, IpPktInfo, new byte[4]);                 // an in_pktinfo is 12 bytes
        end = Write(buffer, end, SolSocket, SoRxqOvfl, new byte[2]);                     // a count is 4
        end = Write(buffer, end, IpProtoIp, IpPktInfo, PktInfo("127.0.0.3"));

        var (found, local, overflows) = Walk(buffer.AsSpan(0, end));

        Assert.True(found);
        Assert.Equal(PackedAddress.From(IPAddress.Parse("127.0.0.3")), local);
        Assert.Equal(0, overflows);
    }

    [Fact]
    public void On_a_wildcard_control_data_the_kernel_cut_short_leaves_the_destination_unknown()
    {
        var buffer = new byte[128];
        int end = Write(buffer, 0, IpProtoIp, IpPktInfo, PktInfo("127.0.0.9"));
        var local = Bound;
        long overflows = 0, stampNs = 0;

        // MSG_CTRUNC: something did not fit, so what is there may not be the whole truth.
        Assert.False(ControlMessages.KnowsDestination(buffer.AsSpan(0, end), MsgCTrunc, wildcard: true, ref local, ref overflows, ref stampNs));
        Assert.False(ControlMessages.KnowsDestination([], 0, wildcard: true, ref local, ref overflows, ref stampNs));
        // A specific bind needs none: it answers from its own address.
        Assert.True(ControlMessages.KnowsDestination([], MsgCTrunc, wildcard: false, ref local, ref overflows, ref stampNs));
    }

    [Fact]
    public void Random_buffers_never_throw_and_never_hang()
    {
        var random = new Random(8);
        var buffer = new byte[256];
        for (int i = 0; i < 200_000; i++)
        {
            random.NextBytes(buffer);
            if (i % 2 == 0)
            {
                // Plausible headers with random lengths, levels and types: the paths most parsers trust.
                Write(buffer, 0, random.Next(3) switch { 0 => IpProtoIp, 1 => IpProtoIpv6, _ => SolSocket },
                    random.Next(3) switch { 0 => IpPktInfo, 1 => Ipv6PktInfo, _ => SoRxqOvfl },
                    buffer.AsSpan(100, 20), claimedLength: (nuint)random.Next(0, 300));
            }
            Walk(buffer.AsSpan(0, random.Next(0, buffer.Length + 1)));
        }
    }
}
