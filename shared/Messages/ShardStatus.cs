namespace TixTrigger.Messages;

/// <summary>Where a shard's ticks stand: enough for a gateway to tell whether it is in step.</summary>
[GenerateSerializer, Immutable, Alias("tix.shard-status")]
public readonly record struct ShardStatus(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence);
