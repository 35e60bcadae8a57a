using TixTrigger.Endpoints;
using TixTrigger.Status;

namespace TixTrigger.Messages;

/// <summary>A gateway telling the registry it is alive, where its UDP socket listens, and what it does (its status report).</summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-announcement.2")]
public sealed record GatewayAnnouncement(
    [property: Id(0)] GatewayUdpEndpoints Udp,
    [property: Id(1)] GatewayReport Report);

/// <summary>
/// Where a gateway receives heartbeats: its port on each of its addresses (for a wildcard bind,
/// every address of its host, and any loopback address), and its <see cref="Host"/> name, since a
/// loopback address means that host only. Every gateway refuses to register these as clients: two
/// gateways pinging each other would keep each other registered forever.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-udp-endpoints")]
public sealed record GatewayUdpEndpoints(
    [property: Id(0)] ushort Port,
    [property: Id(1)] PackedAddress[] Addresses,
    [property: Id(2)] bool Wildcard,
    [property: Id(3)] string Host);
