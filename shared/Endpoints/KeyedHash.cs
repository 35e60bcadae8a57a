using System.Runtime.InteropServices;

namespace TixTrigger.Endpoints;

/// <summary>
/// A hash of values a client chooses (its address, port, network) under this process's random secret
/// key, for every table a client can aim at: dictionary buckets, rate-limit buckets. It is Marvin, the
/// keyed hash .NET itself uses so that string keys cannot be made to collide, reached without
/// allocating through <see cref="string.GetHashCode(ReadOnlySpan{char})"/>: a few nanoseconds for
/// 18 bytes. Not <see cref="HashCode.Combine{T1, T2}"/> of the two halves: it folds each <c>ulong</c>
/// to 32 bits before the key is mixed in, so halves with equal folds collide under every key.
/// </summary>
public static class KeyedHash
{
    public static int Of(ulong high, ulong low)
    {
        Span<byte> bytes = stackalloc byte[16];
        MemoryMarshal.Write(bytes, in high);
        MemoryMarshal.Write(bytes[8..], in low);
        return string.GetHashCode(MemoryMarshal.Cast<byte, char>(bytes));
    }

    public static int Of(ulong high, ulong low, ushort port)
    {
        Span<byte> bytes = stackalloc byte[18];
        MemoryMarshal.Write(bytes, in high);
        MemoryMarshal.Write(bytes[8..], in low);
        MemoryMarshal.Write(bytes[16..], in port);
        return string.GetHashCode(MemoryMarshal.Cast<byte, char>(bytes));
    }
}
