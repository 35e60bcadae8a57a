using TixTrigger.Grains;
using TixTrigger.Messages;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// What a <see cref="PingShardGrain"/> carries when it moves to another silo. Times travel as
/// durations (TTLs, ages): the two silos' monotonic clocks have nothing in common.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.shard-state")]
public sealed record PingShardState(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] IGatewayObserver? Gateway,
    [property: Id(3)] long SinceAttachMs,
    [property: Id(4)] int RefreshLagMs,
    [property: Id(5)] ShardMember[] Members,
    [property: Id(6)] ShardRemoval[] Departed,
    [property: Id(7)] ShardRemoval[] PendingRemovals,
    [property: Id(8)] GatewayProcess? Holder,
    [property: Id(9)] long LastGrantedEpoch,
    [property: Id(10)] ShardRemoval[] Unreleased);
