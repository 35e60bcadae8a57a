using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Gateway.Udp;

namespace TixTrigger.Gateway.Handover;

/// <summary>
/// A new process with this gateway's settings, as the running gateway sees it once the hello matched. The
/// gateway stops receiving (datagrams wait in the shared socket's queue), <see cref="SendAsync"/>s its sockets
/// and clients, pings until <see cref="WaitUntilPingingAsync"/> returns, stops, and <see cref="SayDoneAsync"/>.
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
    /// The UDP socket and the METRICS_PORT listener (the successor gets its own descriptors of the same
    /// sockets: queued datagrams and pending connections stay), then <paramref name="state"/>.
    /// </summary>
    internal Task SendAsync(IDatagramSocket socket, ReadOnlyMemory<byte> state, CancellationToken cancel)
    {
        if (socket is not LinuxDatagramSocket linux) throw new HandoverException("only a Linux socket can be handed over");
        return Task.Run(() =>
        {
            var pid = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(pid, Environment.ProcessId);
            _channel.Send(FrameType.Sockets, pid, HandoverTimeouts.Message, cancel, [linux.Handle, _metricsListener]);
            _channel.Send(FrameType.State, state.Span, HandoverTimeouts.Message, cancel);
        }, cancel);
    }

    /// <summary>
    /// Returns, once the successor pings, the Stopwatch timestamp (CLOCK_MONOTONIC: the same clock in every
    /// process) from which it sends every slot: ping only slots due before it. Throws
    /// <see cref="HandoverException"/> when it hung up or took too long: it never pinged, so resume.
    /// </summary>
    public Task<long> WaitUntilPingingAsync(CancellationToken cancel) => Task.Run(() =>
    {
        using var frame = _channel.Receive(HandoverTimeouts.Pinging, cancel, "the successor to ping");
        if (frame.Type != FrameType.Pinging || frame.Payload.Length != 8) throw new HandoverException($"the successor sent {frame.Type} where it should ping");
        return BinaryPrimitives.ReadInt64LittleEndian(frame.Payload);
    }, cancel);

    /// <summary>This process has stopped pinging; it exits next.</summary>
    public Task SayDoneAsync(CancellationToken cancel) =>
        Task.Run(() => _channel.Send(FrameType.Done, [], HandoverTimeouts.Message, cancel), cancel);

    public void Dispose() => _channel.Dispose();
}
