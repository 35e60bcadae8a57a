using System.Net.Sockets;
using System.Runtime.Versioning;

namespace TixTrigger.Gateway.Udp;

internal static class SocketTuning
{
    /// <summary>
    /// A sign-up burst (every phone's app restarting at once) must not be dropped by the kernel
    /// while the receiving thread catches up: 16 MiB holds about 20,000 heartbeats (a small
    /// datagram costs about 800 bytes of buffer on Linux).
    /// </summary>
    public const int BufferBytes = 16 * 1024 * 1024;

    public static void Apply(Socket socket)
    {
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // HOST=:: serves IPv4 clients too (dual stack), as an IPv6 wildcard does by default on Linux.
            socket.DualMode = true;
        }
        ApplyBuffers(socket);
    }

    /// <summary>The buffers alone: what a socket already bound (one handed over by a running gateway) can still be given.</summary>
    public static void ApplyBuffers(Socket socket)
    {
        if (!OperatingSystem.IsLinux() || !TryForceBuffers(socket))
        {
            // Clamped silently to net.core.rmem_max / wmem_max; the gateway logs what it got.
            socket.ReceiveBufferSize = BufferBytes;
            socket.SendBufferSize = BufferBytes;
        }
    }

    /// <summary>Past net.core.rmem_max, where the process may (CAP_NET_ADMIN, as root outside a container).</summary>
    [SupportedOSPlatform("linux")]
    private static unsafe bool TryForceBuffers(Socket socket)
    {
        int fd = (int)socket.Handle;
        int bytes = BufferBytes;
        return LinuxSocketInterop.SetSockOpt(fd, LinuxSocketInterop.SolSocket, LinuxSocketInterop.SoRcvBufForce, &bytes, sizeof(int)) == 0
            && LinuxSocketInterop.SetSockOpt(fd, LinuxSocketInterop.SolSocket, LinuxSocketInterop.SoSndBufForce, &bytes, sizeof(int)) == 0;
    }

    /// <summary>The receive buffer the kernel actually granted (Linux reports twice the size asked for, its bookkeeping included).</summary>
    public static int GrantedReceiveBytes(Socket socket) =>
        OperatingSystem.IsLinux() ? socket.ReceiveBufferSize / 2 : socket.ReceiveBufferSize;
}
