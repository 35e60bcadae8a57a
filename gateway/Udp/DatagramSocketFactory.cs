using System.Net;

namespace TixTrigger.Gateway.Udp;

internal static class DatagramSocketFactory
{
    /// <summary>
    /// A specific address needs nothing special; a wildcard needs per-datagram source addresses,
    /// which only the Linux socket API offers here.
    /// </summary>
    public static IDatagramSocket Open(IPEndPoint bindTo)
    {
        bool wildcard = bindTo.Address.Equals(IPAddress.Any) || bindTo.Address.Equals(IPAddress.IPv6Any);
        if (wildcard && OperatingSystem.IsLinux())
        {
            return new PacketInfoDatagramSocket(bindTo);
        }
        return new BoundDatagramSocket(bindTo);
    }
}
