namespace TixTrigger.Messages;

/// <summary>
/// A shard's per-second message to its gateway: only what changed since the previous tick.
/// <see cref="Sequence"/> counts ticks within one activation (<see cref="Epoch"/>); a gap or a
/// new epoch tells the gateway to resynchronise. A removal carries the member as the shard last
/// knew it: a gateway that has since seen a newer heartbeat from that client keeps it.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.shard-tick")]
public sealed record ShardTick(
    [property: Id(0)] int ShardIndex,
    [property: Id(1)] Guid Epoch,
    [property: Id(2)] long Sequence,
    [property: Id(3)] ShardMember[] Upserts,
    [property: Id(4)] ShardMember[] Removals);
