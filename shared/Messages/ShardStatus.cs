namespace TixTrigger.Messages;

/// <summary>What a shard answers a gateway's announcement with: enough to tell whether the gateway is in sync.</summary>
[GenerateSerializer, Immutable, Alias("tix.shard-status")]
public readonly record struct ShardStatus(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] int MemberCount);
