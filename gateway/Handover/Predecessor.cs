using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Gateway.Udp;

namespace TixTrigger.Gateway.Handover;

/// <summary>
/// The running gateway this process takes over, once it handed over its sockets: serve METRICS_PORT on
/// <see cref="MetricsListener"/>, start the gateway on <see cref="Socket"/> with the clients of <see cref="FetchClients"/>,
/// and start pinging at the cut-over <see cref="AskFirstSlotAsync"/> returns.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class Predecessor : IDisposable
{
    private readonly HandoverChannel _channel;

    internal Predecessor(HandoverChannel channel, IDatagramSocket socket, Socket metricsListener, int processId)
    {
        _channel = channel;
        Socket = socket;
        MetricsListener = metricsListener;
        ProcessId = processId;
    }

    /// <summary>The UDP socket, adopted: bound where this process's settings say, with its queued datagrams.</summary>
    internal IDatagramSocket Socket { get; }

    /// <summary>The METRICS_PORT listening socket.</summary>
    public Socket MetricsListener { get; }

    public int ProcessId { get; }

    /// <summary>
    /// Asks for the clients, once this process's gateway starts: the old one stops receiving then (datagrams
    /// queue in the shared socket until this one reads it), so the pause lasts no longer than the transfer and
    /// the restore. Returns exactly the bytes the old process's gateway sent.
    /// </summary>
    public ReadOnlyMemory<byte> FetchClients(CancellationToken cancel)
    {
        _channel.Send(FrameType.WantClients, [], HandoverTimeouts.Message, cancel);
        using var clients = _channel.Receive(HandoverTimeouts.Message, cancel, "the running gateway's clients");
        if (clients.Type != FrameType.Clients) throw new HandoverException($"the old process sent {clients.Type} where its clients belong");
        return clients.Payload;
    }

    /// <summary>
    /// Says this process is ready to ping; returns the cut-over the old process chose (a Stopwatch timestamp): it
    /// pings every slot due before it, this one every slot due from it. Throws <see cref="HandoverException"/> when
    /// the old process hung up or took too long (it resumed, or is gone): this one must not ping then.
    /// </summary>
    public Task<long> AskFirstSlotAsync(CancellationToken cancel) => Task.Run(() =>
    {
        _channel.Send(FrameType.Ready, [], HandoverTimeouts.Message, cancel);
        using var answer = _channel.Receive(HandoverTimeouts.Ready, cancel, "the cut-over");
        if (answer.Type != FrameType.FirstSlot || answer.Payload.Length != 8) throw new HandoverException($"the old process sent {answer.Type} where the cut-over belongs");
        return BinaryPrimitives.ReadInt64LittleEndian(answer.Payload);
    }, cancel);

    /// <summary>Returns when the old process has stopped pinging (it exits next).</summary>
    public Task WaitUntilDoneAsync(CancellationToken cancel) => Task.Run(() =>
    {
        using var frame = _channel.Receive(HandoverTimeouts.Done, cancel, "the old process to stop pinging");
        if (frame.Type != FrameType.Done) throw new HandoverException($"the old process sent {frame.Type} where it should stop");
    }, cancel);

    public void Dispose() => _channel.Dispose();
}
