namespace TixTrigger.Messages;

/// <summary>A gateway telling the cluster it is alive, and how its clients are sharded.</summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-announcement")]
public sealed record GatewayAnnouncement(
    [property: Id(0)] string GatewayId,
    [property: Id(1)] int ShardsPerGateway);

/// <summary>
/// The gateways a directory has heard from. <see cref="Complete"/> is false while the directory is
/// younger than an announcement interval: a freshly activated directory may not know them all yet.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-list")]
public sealed record GatewayList(
    [property: Id(0)] GatewayAnnouncement[] Gateways,
    [property: Id(1)] bool Complete);
