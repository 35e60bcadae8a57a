using System.Net.Sockets;

namespace TixTrigger.Gateway.Udp;

internal static class SocketTuning
{
    // Bursts of heartbeats (every phone's app restarting at once) and of pings must not be
    // dropped by the kernel for lack of buffer: a few MiB covers tens of thousands of datagrams.
    private const int BufferBytes = 8 * 1024 * 1024;

    public static void Apply(Socket socket)
    {
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // HOST=:: serves IPv4 clients too (dual stack), as an IPv6 wildcard does by default on Linux.
            socket.DualMode = true;
        }
        socket.ReceiveBufferSize = BufferBytes;
        socket.SendBufferSize = BufferBytes;
    }
}
