using TixTrigger.Endpoints;

namespace TixTrigger.Messages;

/// <summary>
/// A gateway telling the cluster it is alive, how its clients are sharded, and where its UDP socket
/// listens (<see cref="Udp"/> is null once it has stopped, and from a gateway of an older version).
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-announcement")]
public sealed record GatewayAnnouncement(
    [property: Id(0)] string GatewayId,
    [property: Id(1)] int ShardsPerGateway,
    [property: Id(2)] GatewayUdpEndpoints? Udp);

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

/// <summary>
/// The gateways a directory has heard from. <see cref="Complete"/> is false while the directory is
/// younger than an announcement interval: a freshly activated directory may not know them all yet.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-list")]
public sealed record GatewayList(
    [property: Id(0)] GatewayAnnouncement[] Gateways,
    [property: Id(1)] bool Complete);
