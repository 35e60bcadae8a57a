using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// A UDP socket on a loopback endpoint of its own that never sends first: it records every datagram
/// it gets and hands each to its reaction, on its own thread, as it arrives (a reflector, a delayed
/// or partial echo, another program). Only a forged datagram from its endpoint can make the service
/// ping it; from then on it only answers.
/// </summary>
public sealed class UdpAnswerer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 100 };
    private readonly Action<UdpAnswerer, PingClient.Received> _react;
    private readonly List<PingClient.Received> _received = [];
    private readonly Lock _sending = new();
    private readonly Thread _thread;
    private volatile bool _stopping;

    public UdpAnswerer(string name, IPAddress address, Action<UdpAnswerer, PingClient.Received> react)
    {
        if (!IPAddress.IsLoopback(address)) throw new ArgumentException("loopback only: what it answers must not leave this machine");
        Name = name;
        _react = react;
        _socket.Bind(new IPEndPoint(address, 0));
        LocalEndpoint = (IPEndPoint)_socket.LocalEndPoint!;
        _thread = new Thread(Run) { IsBackground = true, Name = "test-answerer", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public string Name { get; }

    public IPEndPoint LocalEndpoint { get; }

    /// <summary>Datagrams sent, not counting any forged from its endpoint.</summary>
    public int Sent { get; private set; }

    public IReadOnlyList<PingClient.Received> Received
    {
        get { lock (_received) return [.. _received]; }
    }

    /// <summary>Sends from its endpoint; from any thread (its own, or a <see cref="Timeline"/>'s). Nothing once disposed.</summary>
    public void Send(ReadOnlySpan<byte> payload, IPEndPoint to)
    {
        lock (_sending)
        {
            if (_stopping) return;
            _socket.SendTo(payload, SocketFlags.None, to);
            Sent++;
        }
    }

    private void Run()
    {
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping)
        {
            PingClient.Received received;
            try
            {
                int length = _socket.ReceiveFrom(buffer, ref from);
                received = new PingClient.Received(Stopwatch.GetTimestamp(), (IPEndPoint)from, buffer[..length]);
            }
            catch (SocketException)
            {
                continue; // the receive timeout, so that a stop is noticed; or an ICMP error from an earlier send
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            lock (_received) _received.Add(received);
            try
            {
                _react(this, received);
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                // An answer the kernel refused: the next ping gets its own.
            }
        }
    }

    public void Dispose()
    {
        lock (_sending) _stopping = true;
        _thread.Join();
        _socket.Dispose();
    }
}
