using Orleans.Placement;

namespace TixTrigger.Silo.Placement;

/// <summary>
/// Places each grain on the silo that rendezvous hashing picks for its key among the active silos:
/// grains spread evenly, and when silos come or go only the grains whose pick changed move (see
/// <see cref="RendezvousHome"/>). For the few long-lived grains that hold the service's state
/// (shards, client partitions), not for short-lived ones.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.shard-placement")]
public sealed class RendezvousPlacement : PlacementStrategy;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RendezvousPlacementAttribute() : PlacementAttribute(new RendezvousPlacement());
