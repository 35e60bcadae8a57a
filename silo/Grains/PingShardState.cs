using TixTrigger.Grains;
using TixTrigger.Messages;

namespace TixTrigger.Silo.Grains;

/// <summary>What a <see cref="PingShardGrain"/> carries when it migrates to another silo.</summary>
[GenerateSerializer, Immutable, Alias("tix.shard-state")]
public sealed record PingShardState(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] IGatewayObserver? Gateway,
    [property: Id(3)] long LastAttachMs,
    [property: Id(4)] ShardMember[] Members,
    [property: Id(5)] ShardMember[] PendingUpserts,
    [property: Id(6)] ShardMember[] PendingRemovals);
