using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// Sockets bound to the wildcard address on a few ports, never read, with small buffers: the
/// gateway's pings to forged loopback sources on those ports are delivered and dropped, as pings
/// to forged internet addresses leave the host. Without them each ping would make the kernel
/// answer with an ICMP port unreachable, work a real gateway never does, charged to its sender.
/// </summary>
public sealed class PingSinks : IDisposable
{
    private readonly List<Socket> _sockets = [];

    public PingSinks(int count)
    {
        while (_sockets.Count < count)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4096 };
            socket.Bind(new IPEndPoint(IPAddress.Any, FreePorts.Next()));
            _sockets.Add(socket);
        }
        Ports = [.. _sockets.Select(socket => ((IPEndPoint)socket.LocalEndPoint!).Port)];
    }

    public int[] Ports { get; }

    public void Dispose() => _sockets.ForEach(socket => socket.Dispose());
}
