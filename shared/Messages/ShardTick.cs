namespace TixTrigger.Messages;

/// <summary>
/// A shard's per-second message to its gateway: the members it removed since the previous tick
/// (everything a shard adds comes from its own gateway, which knows it already). <see cref="Sequence"/>
/// counts ticks within one activation (<see cref="Epoch"/>); a gap or a new epoch tells the gateway
/// to resynchronise.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.shard-tick")]
public sealed record ShardTick(
    [property: Id(0)] int ShardIndex,
    [property: Id(1)] Guid Epoch,
    [property: Id(2)] long Sequence,
    [property: Id(3)] ShardRemoval[] Removals);
