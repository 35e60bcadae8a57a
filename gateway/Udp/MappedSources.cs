using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.Udp;

/// <summary>
/// An IPv4-mapped source (<c>::ffff:a.b.c.d</c>) is the IPv4 client a.b.c.d only on a datagram that
/// really came over IPv4. Such an address must never appear on the wire (RFC 4291 2.5.5.2), yet Linux
/// delivers an IPv6 datagram forged from one (on loopback at least, and before 5.3 from anywhere);
/// taken at its word it would move an IPv4 client's pings to an IPv6 local address, or pass as 127.0.0.1.
/// </summary>
internal static class MappedSources
{
    /// <summary>
    /// Whether the source's family agrees with the destination's: a dual-stack socket reports a mapped
    /// destination (in <c>IPV6_PKTINFO</c>) only for a datagram that arrived over IPv4.
    /// <paramref name="local"/> is the destination the datagram was delivered to, or the bound address.
    /// </summary>
    public static bool Agree(ClientEndpoint remote, PackedAddress local) => remote.Address.IsIPv4 == local.IsIPv4;
}
