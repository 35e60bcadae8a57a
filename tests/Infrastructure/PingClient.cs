using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>A phone, as far as the service can tell: one UDP socket that heartbeats and records every datagram it gets.</summary>
public sealed class PingClient : IDisposable
{
    public sealed record Received(long Timestamp, IPEndPoint From, byte[] Data)
    {
        public double SecondsSince(long start) => (Timestamp - start) / (double)Stopwatch.Frequency;
    }

    private readonly Socket _socket;
    private readonly List<Received> _received = [];

    public PingClient(IPAddress bind)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(bind, 0));
        LocalEndpoint = (IPEndPoint)_socket.LocalEndPoint!;
        ArrivalTimes.Enable(_socket);
        PingReceiver.Register(_socket, this);
    }

    public PingClient() : this(IPAddress.Loopback)
    {
    }

    public IPEndPoint LocalEndpoint { get; }

    public void Heartbeat(IPEndPoint service, int size = 2) => _socket.SendTo(new byte[size], service);

    /// <summary>A heartbeat with this content: the original README's client sends the ping's own bytes.</summary>
    public void Heartbeat(IPEndPoint service, byte[] payload) => _socket.SendTo(payload, service);

    public IReadOnlyList<Received> Pings
    {
        get { lock (_received) return [.. _received]; }
    }

    public int Count
    {
        get { lock (_received) return _received.Count; }
    }

    public void Clear()
    {
        lock (_received) _received.Clear();
    }

    internal void Record(Received received)
    {
        lock (_received) _received.Add(received);
    }

    public void Dispose()
    {
        PingReceiver.Unregister(_socket);
        _socket.Dispose();
    }
}
