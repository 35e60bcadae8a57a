using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Endpoints;

/// <summary>
/// The address and port a client's heartbeats come from: the identity of a client, and the
/// key of its <c>ClientGrain</c>. Two ports of one IP are two clients.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.client-endpoint")]
public readonly record struct ClientEndpoint([property: Id(0)] PackedAddress Address, [property: Id(1)] ushort Port)
{
    // Linux sockaddr layout (also the layout of SocketAddress.Buffer there): family in host
    // order, then the port and address in network order.
    private const int AfInet = 2;
    private const int AfInet6 = 10;
    public const int SockaddrIn6Size = 28;

    public static ClientEndpoint From(IPEndPoint endpoint) =>
        new(PackedAddress.From(endpoint.Address), (ushort)endpoint.Port);

    public IPEndPoint ToIPEndPoint() => new(Address.ToIPAddress(), Port);

    /// <summary>Reads a native Linux <c>sockaddr_in</c> or <c>sockaddr_in6</c> without allocating.</summary>
    public static bool TryReadSockaddr(ReadOnlySpan<byte> sockaddr, out ClientEndpoint endpoint)
    {
        endpoint = default;
        if (sockaddr.Length < 8) return false;
        int family = BitConverter.ToUInt16(sockaddr);
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        if (family == AfInet)
        {
            endpoint = new ClientEndpoint(PackedAddress.FromIPv4(sockaddr.Slice(4, 4)), port);
            return true;
        }
        if (family == AfInet6 && sockaddr.Length >= 24)
        {
            endpoint = new ClientEndpoint(PackedAddress.FromIPv6(sockaddr.Slice(8, 16)), port);
            return true;
        }
        return false;
    }

    /// <summary>Reads a <see cref="SocketAddress"/> filled by a receive, without allocating.</summary>
    public static bool TryRead(SocketAddress address, out ClientEndpoint endpoint)
    {
        endpoint = default;
        var bytes = address.Buffer.Span[..address.Size];
        if (bytes.Length < 8) return false;
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        switch (address.Family)
        {
            case AddressFamily.InterNetwork:
                endpoint = new ClientEndpoint(PackedAddress.FromIPv4(bytes.Slice(4, 4)), port);
                return true;
            case AddressFamily.InterNetworkV6 when bytes.Length >= 24:
                endpoint = new ClientEndpoint(PackedAddress.FromIPv6(bytes.Slice(8, 16)), port);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The socket address to send to from a socket of <paramref name="socketFamily"/>.</summary>
    public SocketAddress ToSocketAddress(AddressFamily socketFamily)
    {
        var ip = Address.ToIPAddress();
        if (socketFamily == AddressFamily.InterNetworkV6 && ip.AddressFamily == AddressFamily.InterNetwork)
        {
            ip = ip.MapToIPv6();
        }
        return new IPEndPoint(ip, Port).Serialize();
    }

    public ulong StableHash() => PackedAddress.Mix(Address.StableHash() ^ Port);

    /// <summary>The shard of a gateway's <paramref name="shardCount"/> that this client belongs to.</summary>
    public int ShardOf(int shardCount) => (int)(StableHash() % (ulong)shardCount);

    public override string ToString() =>
        Address.IsIPv4 ? $"{Address}:{Port}" : $"[{Address}]:{Port}";

    public static bool TryParse(string text, [NotNullWhen(true)] out ClientEndpoint? endpoint)
    {
        endpoint = null;
        if (!IPEndPoint.TryParse(text, out var parsed)) return false;
        endpoint = From(parsed);
        return true;
    }
}
