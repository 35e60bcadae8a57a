using System.Buffers.Binary;
using System.Net;

namespace TixTrigger.Bench.Native;

/// <summary>Reads a struct sockaddr_in / sockaddr_in6 as recvmsg fills it, without allocating.</summary>
internal static class NativeSocketAddress
{
    private const ushort InterNetwork = 2;
    private const ushort InterNetworkV6 = 10;

    /// <summary>Whether <paramref name="sockaddr"/> is exactly <paramref name="address"/> (4 or 16 bytes) and <paramref name="port"/>.</summary>
    public static bool Is(ReadOnlySpan<byte> sockaddr, ReadOnlySpan<byte> address, int port)
    {
        if (sockaddr.Length < 8 || BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]) != port) return false;
        ushort family = BitConverter.ToUInt16(sockaddr);
        return family switch
        {
            InterNetwork => address.Length == 4 && sockaddr.Slice(4, 4).SequenceEqual(address),
            InterNetworkV6 => address.Length == 16 && sockaddr.Length >= 24 && sockaddr.Slice(8, 16).SequenceEqual(address),
            _ => false,
        };
    }

    /// <summary>For a report line only (it allocates).</summary>
    public static string Describe(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < 8) return "an unknown address";
        int port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        return BitConverter.ToUInt16(sockaddr) switch
        {
            InterNetwork => new IPEndPoint(new IPAddress(sockaddr.Slice(4, 4)), port).ToString(),
            InterNetworkV6 when sockaddr.Length >= 24 => new IPEndPoint(new IPAddress(sockaddr.Slice(8, 16)), port).ToString(),
            var family => $"an address of family {family}",
        };
    }
}
