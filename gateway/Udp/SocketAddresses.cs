using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.Udp;

/// <summary>
/// Socket addresses to and from <see cref="ClientEndpoint"/>, without allocating. In every layout
/// the port (network order) follows the 2-byte family; an IPv4 address follows the port, an IPv6
/// one follows 4 bytes of flow information. An IPv4 client of a dual-stack socket appears as an
/// IPv4-mapped IPv6 address, which is how <see cref="PackedAddress"/> stores IPv4 anyway.
/// </summary>
internal static class SocketAddresses
{
    public const int MaxSockaddrBytes = 28; // sizeof(struct sockaddr_in6)

    /// <summary>Reads a <see cref="SocketAddress"/> filled by a receive.</summary>
    public static bool TryRead(SocketAddress address, out ClientEndpoint endpoint) =>
        TryRead(address.Family, address.Buffer.Span[..address.Size], out endpoint);

    /// <summary>Writes <paramref name="client"/> into a reusable <see cref="SocketAddress"/> of the socket's family.</summary>
    public static void Write(ClientEndpoint client, SocketAddress address)
    {
        var bytes = address.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], client.Port);
        if (address.Family == AddressFamily.InterNetwork)
        {
            client.Address.WriteIPv4(bytes[4..]);
            return;
        }
        bytes[4..8].Clear();
        client.Address.WriteIPv6(bytes[8..]);
        bytes[24..28].Clear();
    }

    /// <summary>Reads a native Linux <c>sockaddr_in</c> or <c>sockaddr_in6</c>.</summary>
    [SupportedOSPlatform("linux")]
    public static bool TryReadNative(ReadOnlySpan<byte> sockaddr, out ClientEndpoint endpoint)
    {
        endpoint = default;
        if (sockaddr.Length < 2) return false;
        return BitConverter.ToUInt16(sockaddr) switch
        {
            LinuxSocketInterop.AfInet => TryRead(AddressFamily.InterNetwork, sockaddr, out endpoint),
            LinuxSocketInterop.AfInet6 => TryRead(AddressFamily.InterNetworkV6, sockaddr, out endpoint),
            _ => false,
        };
    }

    /// <summary>Writes a native Linux socket address for a socket of the given family; returns its length.</summary>
    [SupportedOSPlatform("linux")]
    public static int WriteNative(ClientEndpoint client, bool ipv6Socket, Span<byte> sockaddr)
    {
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr[2..], client.Port);
        if (!ipv6Socket)
        {
            BitConverter.TryWriteBytes(sockaddr, LinuxSocketInterop.AfInet);
            client.Address.WriteIPv4(sockaddr[4..]);
            sockaddr[8..16].Clear();
            return 16;
        }
        BitConverter.TryWriteBytes(sockaddr, LinuxSocketInterop.AfInet6);
        sockaddr[4..8].Clear();
        client.Address.WriteIPv6(sockaddr[8..]);
        sockaddr[24..28].Clear();
        return MaxSockaddrBytes;
    }

    private static bool TryRead(AddressFamily family, ReadOnlySpan<byte> bytes, out ClientEndpoint endpoint)
    {
        endpoint = default;
        switch (family)
        {
            case AddressFamily.InterNetwork when bytes.Length >= 8:
                endpoint = new ClientEndpoint(PackedAddress.FromIPv4(bytes.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
                return true;
            case AddressFamily.InterNetworkV6 when bytes.Length >= 24:
                endpoint = new ClientEndpoint(PackedAddress.FromIPv6(bytes.Slice(8, 16)), BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
                return true;
            default:
                return false;
        }
    }
}
