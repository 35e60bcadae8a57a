using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Native;
using TixTrigger.Protocol;

namespace TixTrigger.Bench.Worker;

/// <summary>
/// One app: its own UDP socket, heartbeats to its target, and a log of what comes back.
/// The socket stays unconnected on purpose: a connected socket would silently drop datagrams
/// from any other source, and a ping from the wrong source is exactly what must be caught.
/// Its datagrams are read by the worker's <see cref="EpollReceiver"/>, which hands them to <see cref="Record"/>.
/// </summary>
internal sealed class SimulatedClient : IDisposable
{
    private static ReadOnlySpan<byte> HeartbeatBytes => [0x00, 0x00];

    private readonly Socket _socket;
    private readonly SocketAddress _target;
    private readonly byte[] _targetAddress;

    public SimulatedClient(ClientSpec spec, int expectedPings, int expectedHeartbeats)
    {
        Spec = spec;
        _target = spec.Target.Serialize();
        _targetAddress = spec.Target.Address.GetAddressBytes();
        _socket = new Socket(spec.Target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(new IPEndPoint(spec.Bind, 0));
            // The kernel stamps each datagram as it is queued to the socket: the arrival time no
            // longer depends on when the bench, sharing the cores with the service, gets to read it.
            _socket.SetRawSocketOption(Libc.SolSocket, Libc.SoTimestampNs, BitConverter.GetBytes(1));
            // And the socket's drop count, so drops at the bench's own sockets can be told from the service's.
            _socket.SetRawSocketOption(Libc.SolSocket, Libc.SoRxqOvfl, BitConverter.GetBytes(1));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        Local = (IPEndPoint)_socket.LocalEndPoint!;
        Handle = (int)_socket.SafeHandle.DangerousGetHandle();
        Pings = new TimeLog(expectedPings);
        Heartbeats = new TimeLog(expectedHeartbeats);
    }

    public ClientSpec Spec { get; }

    public IPEndPoint Local { get; }

    /// <summary>The socket's file descriptor, for epoll and recvmsg; valid until <see cref="Dispose"/>.</summary>
    public int Handle { get; }

    /// <summary>When each heartbeat left; written by the heartbeat sender only.</summary>
    public TimeLog Heartbeats { get; }

    /// <summary>Arrival of each correct ping; written by the receiver thread only.</summary>
    public TimeLog Pings { get; }

    /// <summary>Datagrams from anywhere but the target; written by the receiver thread only.</summary>
    public AnomalyLog WrongSource { get; } = new();

    /// <summary>Datagrams from the target that are not exactly <see cref="Ping.Bytes"/>; written by the receiver thread only.</summary>
    public AnomalyLog WrongBytes { get; } = new();

    public string Description => $"client {Spec.Index} {Local} to {Spec.Target}";

    /// <summary>Datagrams the kernel dropped at this socket for a full receive buffer, as of the last one received.</summary>
    public long Dropped { get; set; }

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

    /// <summary>One datagram, as recvmsg returned it: its kernel arrival time, source, bytes, and whether it was longer than the buffer.</summary>
    public void Record(long arrival, ReadOnlySpan<byte> source, ReadOnlySpan<byte> bytes, bool truncated)
    {
        if (!NativeSocketAddress.Is(source, _targetAddress, Spec.Target.Port))
        {
            WrongSource.Add(arrival, WrongSource.WantsDescription ? $"datagram from {NativeSocketAddress.Describe(source)}" : null);
            return;
        }
        if (truncated || !Ping.Is(bytes))
        {
            WrongBytes.Add(arrival, WrongBytes.WantsDescription
                ? truncated ? $"a datagram over {bytes.Length} bytes" : $"{bytes.Length} bytes {Convert.ToHexString(bytes[..Math.Min(bytes.Length, 16)])}"
                : null);
            return;
        }
        Pings.Add(arrival);
    }

    public void Dispose() => _socket.Dispose();
}
