using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Gateway.Udp;

namespace TixTrigger.Gateway.Handover;

/// <summary>
/// A new process with this gateway's settings, as the running gateway sees it once the hello matched. The
/// gateway sends its sockets, and once the successor wants its clients, stops receiving (datagrams wait in
/// the shared socket's queue), sends them, agrees on the cut-over (<see cref="AgreeFirstSlotAsync"/>), pings until it, and <see cref="SayDoneAsync"/>.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class Successor : IDisposable
{
    private readonly HandoverChannel _channel;
    private readonly SafeSocketHandle _metricsListener;

    internal Successor(HandoverChannel channel, SafeSocketHandle metricsListener, HandoverSettings settings)
    {
        _channel = channel;
        _metricsListener = metricsListener;
        Settings = settings;
    }

    public HandoverSettings Settings { get; }

    /// <summary>
    /// The UDP socket and the METRICS_PORT listener: the successor gets its own descriptors of the same sockets
    /// (queued datagrams and pending connections stay) and builds its host on them while this process goes on.
    /// </summary>
    internal Task SendSocketsAsync(IDatagramSocket socket, CancellationToken cancel)
    {
        if (socket is not LinuxDatagramSocket linux) throw new HandoverException("only a Linux socket can be handed over");
        return Task.Run(() =>
        {
            var pid = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(pid, Environment.ProcessId);
            _channel.Send(FrameType.Sockets, pid, HandoverTimeouts.Message, cancel, [linux.Handle, _metricsListener]);
        }, cancel);
    }

    /// <summary>Returns when the successor's gateway starts and wants the clients: only then does this one stop receiving.</summary>
    public Task WaitUntilItWantsClientsAsync(CancellationToken cancel) => Task.Run(() =>
    {
        using var frame = _channel.Receive(HandoverTimeouts.WantClients, cancel, "the successor to start");
        if (frame.Type != FrameType.WantClients) throw new HandoverException($"the successor sent {frame.Type} where it should ask for the clients");
    }, cancel);

    /// <summary>The clients, exported after this process stopped receiving.</summary>
    public Task SendClientsAsync(ReadOnlyMemory<byte> clients, CancellationToken cancel) =>
        Task.Run(() => _channel.Send(FrameType.Clients, clients.Span, HandoverTimeouts.Message, cancel), cancel);

    /// <summary>
    /// Waits until the successor is ready to ping, then picks the cut-over (a Stopwatch timestamp, CLOCK_MONOTONIC:
    /// the same clock in every process), calls <paramref name="stopBefore"/> with it, and only then tells the
    /// successor the slot it returns, which pings every slot due from it: whatever the delays, no slot is pinged twice or never.
    /// Throws <see cref="HandoverException"/> when the successor hung up or took too long: it never pinged, so
    /// resume (and undo <paramref name="stopBefore"/> if it ran).
    /// </summary>
    public Task<long> AgreeFirstSlotAsync(Func<long, long> stopBefore, CancellationToken cancel) => Task.Run(() =>
    {
        using (var ready = _channel.Receive(HandoverTimeouts.Ready, cancel, "the successor to be ready"))
        {
            if (ready.Type != FrameType.Ready) throw new HandoverException($"the successor sent {ready.Type} where it should be ready");
        }
        long firstSlot = Stopwatch.GetTimestamp() + (long)(HandoverTimeouts.CutOverLead.TotalSeconds * Stopwatch.Frequency);
        // Later than asked when this thread ran late and the sender already took that slot.
        firstSlot = stopBefore(firstSlot);
        var payload = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(payload, firstSlot);
        _channel.Send(FrameType.FirstSlot, payload, HandoverTimeouts.Message, cancel);
        return firstSlot;
    }, cancel);

    /// <summary>This process has stopped pinging; it exits next.</summary>
    public Task SayDoneAsync(CancellationToken cancel) =>
        Task.Run(() => _channel.Send(FrameType.Done, [], HandoverTimeouts.Message, cancel), cancel);

    public void Dispose() => _channel.Dispose();
}
