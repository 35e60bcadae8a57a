using System.Net;

namespace TixTrigger.Gateway.Udp;

/// <summary>What a <c>HOST</c> setting means for sockets.</summary>
public static class ListenAddress
{
    /// <summary><c>0.0.0.0</c> or <c>::</c>: every local address, each client answered from the one it used.</summary>
    public static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
}
