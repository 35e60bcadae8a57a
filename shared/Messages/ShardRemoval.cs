using TixTrigger.Endpoints;

namespace TixTrigger.Messages;

/// <summary>Why a shard let a member go.</summary>
[GenerateSerializer, Alias("tix.removal-reason")]
public enum RemovalReason
{
    /// <summary>Its heartbeats now arrive through another gateway (or shard): this gateway must stop.</summary>
    Moved,

    /// <summary>The shard's own safety-net expiry: its gateway, which knows the real deadline, decides.</summary>
    Expired,
}

/// <summary>
/// A member a shard removed, naming the claim that had registered it. A move also says how long ago
/// the heartbeat that took the client arrived (0: not known), so a gateway that heard the client
/// after that keeps it and claims it again: a claim that waited (a second process of a GATEWAY_ID,
/// for its lease) can carry an older heartbeat than the owner's last, which the partition never saw.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.shard-removal")]
public readonly record struct ShardRemoval(
    [property: Id(0)] ClientEndpoint Client,
    [property: Id(1)] long ClaimId,
    [property: Id(2)] RemovalReason Reason,
    [property: Id(3)] long TakenByHeartbeatAgeMs = 0);
