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

/// <summary>A member a shard removed, naming the claim that had registered it.</summary>
[GenerateSerializer, Immutable, Alias("tix.shard-removal")]
public readonly record struct ShardRemoval(
    [property: Id(0)] ClientEndpoint Client,
    [property: Id(1)] long ClaimId,
    [property: Id(2)] RemovalReason Reason);
