using System.Buffers.Binary;
using TixTrigger.Gateway.Mirror;

namespace TixTrigger.Gateway.State;

/// <summary>
/// Writes a <see cref="GatewayImage"/>'s bytes (see <see cref="GatewayStateFormat"/>) record by record,
/// so that a mirror of a million clients streams to its file without a copy of itself in memory.
/// </summary>
internal sealed class StateWriter
{
    private const int BufferRecords = GatewayStateFormat.MaxBlockRecords;

    private readonly Stream _to;
    private readonly long _takenAtUnixMs;
    private readonly byte[] _buffer = new byte[4 + GatewayStateFormat.RecordBytes * BufferRecords];
    private int _held = 4;
    private uint _crc;

    public StateWriter(Stream to, long takenAtUnixMs, long pingOriginTimestamp)
    {
        _to = to;
        _takenAtUnixMs = takenAtUnixMs;
        Span<byte> header = stackalloc byte[GatewayStateFormat.HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, GatewayStateFormat.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], GatewayStateFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], GatewayStateFormat.RecordBytes);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], takenAtUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], pingOriginTimestamp);
        _crc = GatewayStateFormat.Crc(0, header);
        to.Write(header);
    }

    public int Count { get; private set; }

    public void Add(in SavedClient client)
    {
        if (_held == _buffer.Length) FlushBlock();
        GatewayStateFormat.Encode(_buffer.AsSpan(_held, GatewayStateFormat.RecordBytes), client, _takenAtUnixMs);
        _held += GatewayStateFormat.RecordBytes;
        Count++;
    }

    /// <summary>The trailer: without it a reader takes the image for a torn one.</summary>
    public void Finish()
    {
        FlushBlock();
        Span<byte> end = stackalloc byte[4 + GatewayStateFormat.TrailerBytes];
        BinaryPrimitives.WriteInt32LittleEndian(end, 0);
        BinaryPrimitives.WriteInt32LittleEndian(end[4..], Count);
        _crc = GatewayStateFormat.Crc(_crc, end[..8]);
        BinaryPrimitives.WriteUInt32LittleEndian(end[8..], _crc);
        _to.Write(end);
        _to.Flush();
    }

    /// <summary>The records held, as one block led by their count.</summary>
    private void FlushBlock()
    {
        if (_held == 4) return;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer, (_held - 4) / GatewayStateFormat.RecordBytes);
        _crc = GatewayStateFormat.Crc(_crc, _buffer.AsSpan(0, _held));
        _to.Write(_buffer, 0, _held);
        _held = 4;
    }
}
