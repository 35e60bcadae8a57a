using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// UDP datagrams with any source address and port, written whole (IPv4 header included) to a raw
/// socket, as an attacker forges them. Loopback only: every source is in 127.0.0.0/8, so the
/// gateway's pings to them never leave the machine. A raw socket needs root (or CAP_NET_RAW): the
/// CI machine runs the tests as root; anywhere else these tests say so and fail rather than pass unseen.
/// </summary>
public sealed class ForgedDatagrams : IDisposable
{
    private const int IPv4HeaderBytes = 20;
    private const int UdpHeaderBytes = 8;

    /// <summary>The largest UDP payload an IPv4 datagram can carry.</summary>
    public const int MaxPayload = ushort.MaxValue - IPv4HeaderBytes - UdpHeaderBytes;

    private readonly Socket _raw;
    private readonly byte[] _packet = new byte[ushort.MaxValue];
    private readonly Dictionary<IPAddress, SocketAddress> _destinations = [];

    public ForgedDatagrams()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                "Forging datagrams needs a raw socket, so root or CAP_NET_RAW: run the tests as root (CI does), " +
                "or sudo setcap cap_net_raw+ep \"$(readlink -f \"$(command -v dotnet)\")\".");
        }
        // IPPROTO_RAW: the kernel sends what we write, our IP header included (it fills in the checksum and id).
        _raw = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw);
        _raw.SendBufferSize = 4 * 1024 * 1024;
    }

    public long Sent { get; private set; }

    public void Send(IPEndPoint from, IPEndPoint to, ReadOnlySpan<byte> payload)
    {
        if (from.AddressFamily != AddressFamily.InterNetwork || to.AddressFamily != AddressFamily.InterNetwork) throw new ArgumentException("IPv4 only");
        if (!IPAddress.IsLoopback(from.Address) || !IPAddress.IsLoopback(to.Address)) throw new ArgumentException("loopback only: forged traffic must not leave this machine");
        if (payload.Length > MaxPayload) throw new ArgumentOutOfRangeException(nameof(payload));
        int length = IPv4HeaderBytes + UdpHeaderBytes + payload.Length;
        var packet = _packet.AsSpan(0, length);
        packet[0] = 0x45;                                                    // IPv4, 5 words of header
        packet[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)length);
        packet[4..8].Clear();                                                // id (the kernel picks one), no fragments
        packet[8] = 64;                                                      // TTL
        packet[9] = (byte)ProtocolType.Udp;
        packet[10..12].Clear();                                              // checksum: the kernel's
        from.Address.TryWriteBytes(packet[12..16], out _);
        to.Address.TryWriteBytes(packet[16..20], out _);
        BinaryPrimitives.WriteUInt16BigEndian(packet[20..], (ushort)from.Port);
        BinaryPrimitives.WriteUInt16BigEndian(packet[22..], (ushort)to.Port);
        BinaryPrimitives.WriteUInt16BigEndian(packet[24..], (ushort)(UdpHeaderBytes + payload.Length));
        packet[26..28].Clear();                                              // no UDP checksum: allowed over IPv4
        payload.CopyTo(packet[28..]);
        if (!_destinations.TryGetValue(to.Address, out var destination))
        {
            _destinations[to.Address] = destination = new IPEndPoint(to.Address, 0).Serialize();
        }
        _raw.SendTo(packet, SocketFlags.None, destination);
        Sent++;
    }

    public void Dispose() => _raw.Dispose();
}
