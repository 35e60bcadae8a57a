using TixTrigger.Endpoints;

namespace TixTrigger.Messages;

/// <summary>A heartbeat as a gateway forwards it to the client's grain.</summary>
/// <param name="Client">Where the heartbeat came from.</param>
/// <param name="Local">The local address it arrived at: pings leave from there.</param>
/// <param name="GatewayId">The gateway that received it, and so the one that will ping.</param>
/// <param name="ShardIndex">The gateway's shard for this client.</param>
/// <param name="DeadlineUnixMs">Arrival time plus the gateway's expiry.</param>
[GenerateSerializer, Immutable, Alias("tix.heartbeat")]
public sealed record Heartbeat(
    [property: Id(0)] ClientEndpoint Client,
    [property: Id(1)] PackedAddress Local,
    [property: Id(2)] string GatewayId,
    [property: Id(3)] int ShardIndex,
    [property: Id(4)] long DeadlineUnixMs);
