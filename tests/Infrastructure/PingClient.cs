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
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;

    public PingClient(IPAddress bind)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(bind, 0));
        LocalEndpoint = (IPEndPoint)_socket.LocalEndPoint!;
        _receiving = ReceiveAsync();
    }

    public PingClient() : this(IPAddress.Loopback)
    {
    }

    public IPEndPoint LocalEndpoint { get; }

    public void Heartbeat(IPEndPoint service, int size = 2) => _socket.SendTo(new byte[size], service);

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

    private async Task ReceiveAsync()
    {
        var buffer = new byte[2048];
        var from = new IPEndPoint(LocalEndpoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, from, _stop.Token);
                long now = Stopwatch.GetTimestamp();
                lock (_received) _received.Add(new Received(now, (IPEndPoint)result.RemoteEndPoint, buffer[..result.ReceivedBytes]));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP error from an earlier send; keep listening.
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _receiving.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
    }
}
