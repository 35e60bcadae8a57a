using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TixTrigger.Bench.Measurement;

namespace TixTrigger.Bench.Worker;

/// <summary>
/// One app: its own UDP socket, heartbeats to its target, and a log of what comes back.
/// The socket stays unconnected on purpose: a connected socket would silently drop datagrams
/// from any other source, and a ping from the wrong source is exactly what must be caught.
/// </summary>
internal sealed class SimulatedClient : IDisposable
{
    private static ReadOnlySpan<byte> HeartbeatBytes => [0x00, 0x00];

    private readonly Socket _socket;
    private readonly SocketAddress _target;
    private readonly Memory<byte> _buffer;

    public SimulatedClient(ClientSpec spec, Memory<byte> buffer, int expectedPings, int expectedHeartbeats)
    {
        Spec = spec;
        _buffer = buffer;
        _target = spec.Target.Serialize();
        _socket = new Socket(spec.Target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(new IPEndPoint(spec.Bind, 0));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        Local = (IPEndPoint)_socket.LocalEndPoint!;
        Pings = new TimeLog(expectedPings);
        Heartbeats = new TimeLog(expectedHeartbeats);
    }

    public ClientSpec Spec { get; }

    public IPEndPoint Local { get; }

    /// <summary>When each heartbeat left; written by the heartbeat sender only.</summary>
    public TimeLog Heartbeats { get; }

    /// <summary>Arrival of each correct ping; written by this client's receive loop only.</summary>
    public TimeLog Pings { get; }

    /// <summary>Datagrams from anywhere but the target; written by the receive loop only.</summary>
    public AnomalyLog WrongSource { get; } = new();

    /// <summary>Datagrams from the target that are not exactly 0x75 0x61; written by the receive loop only.</summary>
    public AnomalyLog WrongBytes { get; } = new();

    public string Description => $"client {Spec.Index} {Local} to {Spec.Target}";

    public bool TrySendHeartbeat()
    {
        // Stamped before sending: a reply can then never seem to precede its heartbeat, even if
        // this thread is descheduled right after the send while the service answers at once.
        long sent = Stopwatch.GetTimestamp();
        try
        {
            _socket.SendTo(HeartbeatBytes, SocketFlags.None, _target);
        }
        catch (SocketException)
        {
            return false;
        }
        Heartbeats.Add(sent);
        return true;
    }

    /// <summary>Receives until the socket is closed. One receive is outstanding at a time, so the log needs no lock.</summary>
    public async Task ListenAsync()
    {
        var from = new SocketAddress(_socket.AddressFamily);
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveFromAsync(_buffer, SocketFlags.None, from);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException error) when (error.SocketErrorCode == SocketError.OperationAborted)
            {
                return;
            }
            catch (SocketException error) when (error.SocketErrorCode == SocketError.MessageSize)
            {
                // Longer than the buffer: certainly not a 2-byte ping.
                WrongBytes.Add(Stopwatch.GetTimestamp(), WrongBytes.WantsDescription ? $"a datagram over {_buffer.Length} bytes" : null);
                continue;
            }
            catch (SocketException)
            {
                // An ICMP error surfacing on the socket says nothing about pings; keep listening.
                continue;
            }
            // First thing after the completion, before any bookkeeping, so the stamp is the arrival.
            long arrival = Stopwatch.GetTimestamp();
            Record(arrival, from, length);
        }
    }

    private void Record(long arrival, SocketAddress from, int length)
    {
        if (!from.Equals(_target))
        {
            WrongSource.Add(arrival, WrongSource.WantsDescription ? $"datagram from {EndpointOf(from)}" : null);
            return;
        }
        var bytes = _buffer.Span[..length];
        if (bytes is not [0x75, 0x61])
        {
            WrongBytes.Add(arrival, WrongBytes.WantsDescription ? $"{length} bytes {Convert.ToHexString(bytes[..Math.Min(length, 16)])}" : null);
            return;
        }
        Pings.Add(arrival);
    }

    private EndPoint EndpointOf(SocketAddress address) => new IPEndPoint(Spec.Target.Address, 0).Create(address);

    public void Dispose() => _socket.Dispose();
}
