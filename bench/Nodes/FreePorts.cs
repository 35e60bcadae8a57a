using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Bench.Nodes;

/// <summary>
/// Ports nobody holds right now, for TCP and UDP alike, so that a run never collides with a
/// service (or another engineer's run) on the usual 7561 / 8080 / 11111 / 30000.
/// </summary>
internal static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            if (!UdpFree(port)) continue;
            // Two nodes of one run must never be handed the same port, even if the first has not bound it yet.
            lock (Given)
            {
                if (Given.Add(port)) return port;
            }
        }
        throw new CannotMeasureException("found no free port on 127.0.0.1");
    }

    private static bool UdpFree(int port)
    {
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
