using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using TixTrigger.Endpoints;
using static TixTrigger.Gateway.Udp.LinuxSocketInterop;

namespace TixTrigger.Gateway.Udp;

/// <summary>
/// Reads a received datagram's control data (<c>cmsg</c>s): the local address it was sent to
/// (<c>IP_PKTINFO</c>, <c>IPV6_PKTINFO</c>), the socket's drop count (<c>SO_RXQ_OVFL</c>) and when the
/// datagram reached the host (<c>SCM_TIMESTAMPNS</c>).
/// Every length is checked against the buffer before it is read, so control data that is cut short
/// (<c>MSG_CTRUNC</c>) or malformed ends the walk instead of reading past it.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe class ControlMessages
{
    /// <summary>
    /// Whether the datagram's destination is known: read from its control data on a wildcard bind
    /// (never when the kernel cut the control data short), the bound address otherwise.
    /// <paramref name="local"/> holds the bound address on entry; <paramref name="stampNs"/> gets the receive time, as <see cref="TryRead"/> says.
    /// </summary>
    public static bool KnowsDestination(ReadOnlySpan<byte> control, int flags, bool wildcard, ref PackedAddress local, ref long overflows, ref long stampNs)
    {
        bool found = TryRead(control, ref local, ref overflows, ref stampNs);
        if (!wildcard) return true;
        // Without its destination we cannot answer from the right address.
        return found && (flags & MsgCTrunc) == 0;
    }

    /// <summary>
    /// Walks the control messages; true if one named the destination. <paramref name="stampNs"/> gets a
    /// well-formed <c>SCM_TIMESTAMPNS</c> (CLOCK_REALTIME, ns), and is left as it is otherwise.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> control, ref PackedAddress local, ref long overflows, ref long stampNs)
    {
        bool found = false;
        int offset = 0;
        while (offset + CmsgHeaderSize <= control.Length)
        {
            var header = MemoryMarshal.Read<CmsgHdr>(control[offset..]);
            if (header.Length < (nuint)CmsgHeaderSize || header.Length > (nuint)(control.Length - offset)) break;
            var data = control.Slice(offset + CmsgHeaderSize, (int)header.Length - CmsgHeaderSize);
            if (header.Level == IpProtoIp && header.Type == IpPktInfo && data.Length >= sizeof(InPktInfo))
            {
                // ipi_spec_dst: the local address the datagram was delivered to (our own, even for a broadcast).
                local = PackedAddress.FromIPv4(data.Slice(4, 4));
                found = true;
            }
            else if (header.Level == IpProtoIpv6 && header.Type == Ipv6PktInfo && data.Length >= sizeof(In6PktInfo))
            {
                local = PackedAddress.FromIPv6(data[..16]);
                found = true;
            }
            else if (header.Level == SolSocket && header.Type == SoRxqOvfl && data.Length >= sizeof(uint))
            {
                // The socket's drop count so far, attached once the kernel has dropped anything.
                long dropped = MemoryMarshal.Read<uint>(data);
                if (dropped > Volatile.Read(ref overflows)) Volatile.Write(ref overflows, dropped);
            }
            else if (header.Level == SolSocket && header.Type == SoTimestampNs && data.Length >= sizeof(TimeSpec))
            {
                // Out of range (it would overflow, or is not a time at all): no stamp rather than a wrong one.
                var stamp = MemoryMarshal.Read<TimeSpec>(data);
                if (stamp.Seconds is > 0 and < long.MaxValue / 1_000_000_000 && stamp.Nanoseconds is >= 0 and < 1_000_000_000)
                {
                    stampNs = stamp.TotalNanoseconds;
                }
            }
            offset += Align((int)header.Length);
        }
        return found;
    }
}
