using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// UDP datagrams over IPv6 with any source, written whole (IPv6 header included: an AF_INET6 raw
/// socket of IPPROTO_RAW sends what it is given) as an attacker forges them, to this host's ::1 only.
/// The source may be one no real IPv6 packet carries, such as <c>::ffff:127.0.0.1</c>: Linux
/// delivers that over loopback. Needs root or CAP_NET_RAW, as <see cref="ForgedDatagrams"/> does.
/// </summary>
public sealed class ForgedIPv6Datagrams : IDisposable
{
    private const int HeaderBytes = 40;
    private const int UdpHeaderBytes = 8;

    private readonly Socket _raw;

    public ForgedIPv6Datagrams()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("Forging IPv6 datagrams needs a raw socket, so root or CAP_NET_RAW: run the tests as root (CI does).");
        }
        _raw = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.Raw);
    }

    public void Send(IPEndPoint from, IPEndPoint to, ReadOnlySpan<byte> payload)
    {
        if (from.AddressFamily != AddressFamily.InterNetworkV6 || !to.Address.Equals(IPAddress.IPv6Loopback)) throw new ArgumentException("to ::1 only: forged traffic must not leave this machine");
        if (!from.Address.Equals(IPAddress.IPv6Loopback) && !(from.Address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(from.Address.MapToIPv4())))
        {
            throw new ArgumentException("from ::1 or ::ffff:127.x.x.x only: forged traffic must not name anyone else");
        }
        int udpLength = UdpHeaderBytes + payload.Length;
        var packet = new byte[HeaderBytes + udpLength];
        packet[0] = 0x60;                                                     // version 6, no traffic class or flow label
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)udpLength);
        packet[6] = (byte)ProtocolType.Udp;                                   // next header
        packet[7] = 64;                                                       // hop limit
        from.Address.TryWriteBytes(packet.AsSpan(8, 16), out _);
        to.Address.TryWriteBytes(packet.AsSpan(24, 16), out _);
        var udp = packet.AsSpan(HeaderBytes);
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)from.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], (ushort)to.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        payload.CopyTo(udp[8..]);
        // Over IPv6 the UDP checksum is mandatory (RFC 8200 8.1): the receiver drops a datagram without one.
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], Checksum(packet.AsSpan(8, 32), udp));
        _raw.SendTo(packet, new IPEndPoint(to.Address, 0));
    }

    private static ushort Checksum(ReadOnlySpan<byte> addresses, ReadOnlySpan<byte> udp)
    {
        ulong sum = (ulong)udp.Length + (ulong)ProtocolType.Udp;              // the pseudo-header's length and next header
        for (int i = 0; i < addresses.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(addresses[i..]);
        for (int i = 0; i + 1 < udp.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(udp[i..]);
        if (udp.Length % 2 == 1) sum += (ulong)udp[^1] << 8;
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        ushort folded = (ushort)~sum;
        return folded == 0 ? (ushort)0xFFFF : folded;
    }

    public void Dispose() => _raw.Dispose();
}
