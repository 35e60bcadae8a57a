namespace TixTrigger.Messages;

/// <summary>A shard's whole membership, as of tick <see cref="Sequence"/> of <see cref="Epoch"/>.</summary>
[GenerateSerializer, Immutable, Alias("tix.shard-snapshot")]
public sealed record ShardSnapshot(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] ShardMember[] Members);
