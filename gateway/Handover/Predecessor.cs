using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Gateway.Udp;

namespace TixTrigger.Gateway.Handover;

/// <summary>
/// The running gateway this process takes over, once it handed over its sockets and clients: start the
/// gateway on <see cref="Socket"/> with <see cref="State"/>, serve METRICS_PORT on <see cref="MetricsListener"/>,
/// and <see cref="SayPingingAsync"/> once pinging, so that the old process stops.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class Predecessor : IDisposable
{
    private readonly HandoverChannel _channel;

    internal Predecessor(HandoverChannel channel, IDatagramSocket socket, Socket metricsListener, ReadOnlyMemory<byte> state, int processId)
    {
        _channel = channel;
        Socket = socket;
        MetricsListener = metricsListener;
        State = state;
        ProcessId = processId;
    }

    /// <summary>The UDP socket, adopted: bound where this process's settings say, with its queued datagrams.</summary>
    internal IDatagramSocket Socket { get; }

    /// <summary>The METRICS_PORT listening socket.</summary>
    public Socket MetricsListener { get; }

    /// <summary>The clients, exactly the bytes the old process's gateway sent.</summary>
    public ReadOnlyMemory<byte> State { get; }

    public int ProcessId { get; }

    /// <summary>Tells the old process this one sends every slot due from <paramref name="pingsFrom"/> (a Stopwatch timestamp).</summary>
    public Task SayPingingAsync(long pingsFrom, CancellationToken cancel) => Task.Run(() =>
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(payload, pingsFrom);
        _channel.Send(FrameType.Pinging, payload, HandoverTimeouts.Message, cancel);
    }, cancel);

    /// <summary>Returns when the old process has stopped pinging (it exits next).</summary>
    public Task WaitUntilDoneAsync(CancellationToken cancel) => Task.Run(() =>
    {
        using var frame = _channel.Receive(HandoverTimeouts.Pinging, cancel, "the old process to stop pinging");
        if (frame.Type != FrameType.Done) throw new HandoverException($"the old process sent {frame.Type} where it should stop");
    }, cancel);

    public void Dispose() => _channel.Dispose();
}
