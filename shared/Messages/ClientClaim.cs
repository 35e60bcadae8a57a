using TixTrigger.Endpoints;

namespace TixTrigger.Messages;

/// <summary>A gateway registering a client it has no entry for: "heartbeats from this client now reach me".</summary>
/// <param name="TtlMs">The gateway's expiry: how long the claim can matter, should the owner record be lost.</param>
/// <param name="AgeMs">
/// How long ago the client's latest heartbeat reached the gateway. A claim that was delayed (the
/// cluster was away) must not undo a move that happened since: the partition orders claims by
/// when their heartbeats arrived, on its own clock.
/// </param>
[GenerateSerializer, Immutable, Alias("tix.client-claim")]
public readonly record struct ClientClaim(
    [property: Id(0)] ClientEndpoint Client,
    [property: Id(1)] int ShardIndex,
    [property: Id(2)] long ClaimId,
    [property: Id(3)] int TtlMs,
    [property: Id(4)] int AgeMs);

/// <summary>Which gateway shard holds a client, under which claim, and how long ago its heartbeat arrived there.</summary>
[GenerateSerializer, Immutable, Alias("tix.client-owner")]
public sealed record ClientOwner(
    [property: Id(0)] string GatewayId,
    [property: Id(1)] int ShardIndex,
    [property: Id(2)] long ClaimId,
    [property: Id(3)] long AgeMs);
