using Orleans.Placement;

namespace TixTrigger.Silo.Placement;

/// <summary>
/// Places each shard on the silo that rendezvous hashing picks for its key among the silos
/// running now: shards spread evenly, and when silos come or go only the shards whose pick
/// changed move (see <see cref="ShardHome"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.shard-placement")]
public sealed class ShardPlacement : PlacementStrategy;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardPlacementAttribute() : PlacementAttribute(new ShardPlacement());
