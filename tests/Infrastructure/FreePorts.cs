using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Tests.Infrastructure;

public static class FreePorts
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>A port free for both TCP and UDP on loopback right now, never handed out twice by this run.</summary>
    public static int Next()
    {
        while (true)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Any, port));
            }
            catch (SocketException)
            {
                continue;
            }
            lock (Handed)
            {
                if (Handed.Add(port)) return port;
            }
        }
    }
}
