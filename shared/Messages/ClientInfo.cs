namespace TixTrigger.Messages;

/// <summary>Per-client facts kept by its grain, for inspection.</summary>
[GenerateSerializer, Immutable, Alias("tix.client-info")]
public sealed record ClientInfo(
    [property: Id(0)] string? GatewayId,
    [property: Id(1)] int ShardIndex,
    [property: Id(2)] DateTimeOffset? FirstSeen,
    [property: Id(3)] DateTimeOffset? LastHeartbeat,
    [property: Id(4)] long Heartbeats);
