using System.Buffers.Binary;
using System.Numerics;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;

namespace TixTrigger.Gateway.State;

/// <summary>
/// The bytes of a <see cref="GatewayImage"/>, in a file (STATE_DIR) or on the hand-over stream: a
/// header (magic, version, record size, when taken, the sender's phase), blocks of fixed-size records
/// each led by its record count, an empty block, and a trailer (record count, CRC-32C of everything
/// before it). Little-endian; self-delimiting, so it needs no end of stream. A reader refuses an
/// image of another version, a torn one (ends early, count or checksum wrong): a restart then starts empty, never wrong.
/// </summary>
internal static class GatewayStateFormat
{
    public const uint Magic = 0x53545854; // "TXTS"
    public const ushort Version = 1;
    public const int HeaderBytes = 24;
    public const int RecordBytes = 44;
    public const int TrailerBytes = 8;
    public const int MaxBlockRecords = 1024; // a block buffer under 85 KB: off the large object heap

    /// <summary>The whole image to <paramref name="to"/>.</summary>
    public static void Write(Stream to, GatewayImage image)
    {
        var writer = new StateWriter(to, image.TakenAtUnixMs, image.PingOriginTimestamp);
        foreach (ref readonly var client in image.Span) writer.Add(client);
        writer.Finish();
    }

    /// <summary>Reads an image; <see cref="InvalidDataException"/> if it is not a whole one of this version.</summary>
    public static GatewayImage Read(Stream from)
    {
        try
        {
            return ReadWhole(from);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("gateway state is torn (it ends early)");
        }
    }

    private static GatewayImage ReadWhole(Stream from)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        from.ReadExactly(header);
        uint crc = Crc(0, header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic) throw new InvalidDataException("not a TixTrigger gateway state");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        ushort recordBytes = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        if (version != Version || recordBytes != RecordBytes) throw new InvalidDataException($"gateway state version {version} (record {recordBytes} bytes); this build reads version {Version}");
        long takenAt = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        long origin = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);

        var clients = new List<SavedClient>(from.CanSeek ? (int)Math.Min(int.MaxValue, Math.Max(0, from.Length - from.Position) / RecordBytes) : 0);
        var block = new byte[MaxBlockRecords * RecordBytes];
        Span<byte> word = stackalloc byte[4];
        while (true)
        {
            from.ReadExactly(word);
            crc = Crc(crc, word);
            int records = BinaryPrimitives.ReadInt32LittleEndian(word);
            if (records == 0) break;
            if (records is < 0 or > MaxBlockRecords) throw new InvalidDataException($"gateway state is damaged (a block of {records} records)");
            var bytes = block.AsSpan(0, records * RecordBytes);
            from.ReadExactly(bytes);
            crc = Crc(crc, bytes);
            for (int i = 0; i < records; i++) clients.Add(Decode(bytes.Slice(i * RecordBytes, RecordBytes), takenAt));
        }
        Span<byte> trailer = stackalloc byte[TrailerBytes];
        from.ReadExactly(trailer);
        int count = BinaryPrimitives.ReadInt32LittleEndian(trailer);
        crc = Crc(crc, trailer[..4]);
        if (count != clients.Count) throw new InvalidDataException($"gateway state is torn ({clients.Count} records, the trailer says {count})");
        if (BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]) != crc) throw new InvalidDataException("gateway state checksum mismatch");
        return new GatewayImage { Clients = [.. clients], Count = clients.Count, TakenAtUnixMs = takenAt, PingOriginTimestamp = origin };
    }

    internal static void Encode(Span<byte> record, in SavedClient client, long takenAtUnixMs)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(record, client.Client.Address.High);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], client.Client.Address.Low);
        BinaryPrimitives.WriteUInt16LittleEndian(record[16..], client.Client.Port);
        record[18] = client.Slot;
        record[19] = 0;
        // Deadlines are within CLIENT_EXPIRATION_SECONDS (at most a day) of the moment taken.
        BinaryPrimitives.WriteInt32LittleEndian(record[20..], (int)Math.Clamp(client.DeadlineUnixMs - takenAtUnixMs, int.MinValue, int.MaxValue));
        BinaryPrimitives.WriteUInt64LittleEndian(record[24..], client.Local.High);
        BinaryPrimitives.WriteUInt64LittleEndian(record[32..], client.Local.Low);
        BinaryPrimitives.WriteInt32LittleEndian(record[40..], (int)Math.Clamp((takenAtUnixMs - client.SinceUnixMs) / 1000, 0, int.MaxValue));
    }

    private static SavedClient Decode(ReadOnlySpan<byte> record, long takenAtUnixMs) => new(
        new ClientEndpoint(new PackedAddress(BinaryPrimitives.ReadUInt64LittleEndian(record), BinaryPrimitives.ReadUInt64LittleEndian(record[8..])), BinaryPrimitives.ReadUInt16LittleEndian(record[16..])),
        new PackedAddress(BinaryPrimitives.ReadUInt64LittleEndian(record[24..]), BinaryPrimitives.ReadUInt64LittleEndian(record[32..])),
        takenAtUnixMs + BinaryPrimitives.ReadInt32LittleEndian(record[20..]),
        record[18],
        takenAtUnixMs - BinaryPrimitives.ReadInt32LittleEndian(record[40..]) * 1000L);

    /// <summary>CRC-32C (Castagnoli), hardware-assisted where the CPU has it.</summary>
    internal static uint Crc(uint crc, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }
        foreach (byte b in bytes) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
