using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Endpoints;

/// <summary>
/// An IP address in 16 bytes, IPv4 kept as IPv4-mapped IPv6, so that one value type (no heap
/// object) can name any client or local address and a dual-stack socket's view of an IPv4 peer
/// equals an IPv4 socket's view of it.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.addr")]
public readonly record struct PackedAddress([property: Id(0)] ulong High, [property: Id(1)] ulong Low)
{
    private const ulong MappedPrefixLow = 0x0000_FFFF_0000_0000UL;

    public bool IsIPv4 => High == 0 && (Low & 0xFFFF_FFFF_0000_0000UL) == MappedPrefixLow;

    public bool IsNone => High == 0 && Low == 0;

    /// <summary>127.0.0.0/8 or ::1: this host itself, which nothing outside it can send from.</summary>
    public bool IsLoopback => IsIPv4 ? (Low & 0xFF00_0000UL) == 0x7F00_0000UL : High == 0 && Low == 1;

    public static PackedAddress FromIPv4(ReadOnlySpan<byte> fourBytes) =>
        new(0, MappedPrefixLow | BinaryPrimitives.ReadUInt32BigEndian(fourBytes));

    public static PackedAddress FromIPv6(ReadOnlySpan<byte> sixteenBytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes), BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes[8..]));

    public static PackedAddress From(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return FromIPv4(bytes[..4]);
        }
        address.TryWriteBytes(bytes, out _);
        return FromIPv6(bytes);
    }

    public void WriteIPv4(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)Low);

    public void WriteIPv6(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsIPv4)
        {
            WriteIPv4(bytes);
            return new IPAddress(bytes[..4]);
        }
        WriteIPv6(bytes);
        return new IPAddress(bytes);
    }

    /// <summary>
    /// A hash that is the same in every process, for placement (shards, partitions, slots) that processes
    /// must agree on. Unkeyed, so a client can aim at it: fine where it only spreads load and decides no limit.
    /// </summary>
    public ulong StableHash() => Mix(High ^ Mix(Low));

    /// <summary>Keyed per process: the synthesized hash let a client pick any number of colliding addresses (equal halves of the low 64 bits).</summary>
    public override int GetHashCode() => KeyedHash.Of(High, Low);

    internal static ulong Mix(ulong x)
    {
        // SplitMix64 finalizer: cheap, and spreads nearby addresses over all shards.
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public override string ToString() => ToIPAddress().ToString();
}
