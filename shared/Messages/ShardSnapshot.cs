namespace TixTrigger.Messages;

/// <summary>
/// A shard's whole membership as of tick <see cref="Sequence"/> of <see cref="Epoch"/>, and the
/// members that moved away recently (<see cref="Departed"/>), so that a gateway that missed ticks
/// can tell a client that moved (drop it) from one the shard never heard of (register it).
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.shard-snapshot")]
public sealed record ShardSnapshot(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] ShardMember[] Members,
    [property: Id(3)] ShardRemoval[] Departed);
