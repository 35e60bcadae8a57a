using System.Net;

namespace TixTrigger.Gateway.Udp;

internal static class DatagramSocketFactory
{
    /// <summary>
    /// On Linux, batched system calls and per-datagram source addresses; elsewhere .NET's own
    /// socket calls, which cannot choose a ping's source address on a wildcard bind.
    /// </summary>
    public static IDatagramSocket Open(IPEndPoint bindTo) =>
        OperatingSystem.IsLinux() ? new LinuxDatagramSocket(bindTo) : new PortableDatagramSocket(bindTo);

    /// <summary>A socket handed over by a running gateway (Linux only: that is where a hand-over happens).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static IDatagramSocket Adopt(System.Net.Sockets.SafeSocketHandle handle, IPEndPoint boundAt) =>
        LinuxDatagramSocket.Adopt(handle, boundAt);
}
