using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Gateway.Udp;

namespace TixTrigger.Gateway.Handover;

/// <summary>
/// The METRICS_PORT listening socket, made by the process itself rather than by Kestrel, so that a hand-over
/// can pass it to the successor: probes and scrapes never meet a closed port. Kestrel serves on a duplicate of
/// its descriptor (<c>ListenHandle</c>) and closes that one; this process keeps its own for the hand-over.
/// </summary>
public static class MetricsPortListener
{
    private const int Backlog = 512;

    /// <summary>Every interface, as Kestrel's <c>ListenAnyIP</c>: IPv6 and IPv4 where the host has IPv6, else IPv4.</summary>
    /// <exception cref="SocketException">The port cannot be bound; in use, the message says which port, for the one line the process exits with.</exception>
    public static Socket Open(int port)
    {
        try
        {
            return Listen(new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true }, new IPEndPoint(IPAddress.IPv6Any, port));
        }
        catch (SocketException error) when (error.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
        {
            return Listen(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), new IPEndPoint(IPAddress.Any, port));
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new SocketException(error.ErrorCode, $"TCP port {port} is in use: another process holds it");
        }
    }

    private static Socket Listen(Socket socket, IPEndPoint at)
    {
        try
        {
            // No ReuseAddress: on Linux it adds SO_REUSEPORT, and a second gateway would share the port. .NET binds TCP
            // with SO_REUSEADDR anyway, so a restart binds again while the last one's connections linger in TIME_WAIT.
            socket.Bind(at);
            socket.Listen(Backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A listener handed over by a running gateway, checked to be a TCP socket listening on <paramref name="port"/>.</summary>
    /// <exception cref="InvalidDataException">It is not; the handle is closed.</exception>
    public static Socket Adopt(SafeSocketHandle handle, int port)
    {
        var socket = new Socket(handle);
        if (socket.SocketType != SocketType.Stream || socket.LocalEndPoint is not IPEndPoint local || local.Port != port)
        {
            string what = $"{socket.SocketType} at {socket.LocalEndPoint}";
            socket.Dispose();
            throw new InvalidDataException($"the handed-over metrics socket is {what}, not listening on port {port}");
        }
        return socket;
    }

    /// <summary>A descriptor of the same socket for Kestrel, which closes it when it stops (close-on-exec, as every socket .NET makes).</summary>
    [SupportedOSPlatform("linux")]
    public static ulong DuplicateForKestrel(Socket listener)
    {
        int fd = LinuxSocketInterop.Fcntl((int)listener.Handle, LinuxSocketInterop.FDupFdCloexec, 0);
        if (fd < 0) throw new SocketException(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        return (ulong)fd;
    }
}
