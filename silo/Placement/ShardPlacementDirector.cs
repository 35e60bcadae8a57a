using Orleans.Runtime.Placement;

namespace TixTrigger.Silo.Placement;

internal sealed class ShardPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        return Task.FromResult(ShardHome.Of(target.GrainIdentity, silos) ?? context.LocalSilo);
    }
}
