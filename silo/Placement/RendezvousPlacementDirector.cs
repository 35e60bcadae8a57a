using Orleans.Runtime.Placement;

namespace TixTrigger.Silo.Placement;

/// <summary>
/// Places by <see cref="RendezvousHome"/> over the same silos a grain checks its home against
/// (active members) that can also host it.
/// </summary>
internal sealed class RendezvousPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        var candidates = RendezvousHome.Candidates(membership).Where(compatible.Contains).ToList();
        // Membership and the manifest can disagree for a moment: rather any compatible silo than none.
        var home = RendezvousHome.Of(target.GrainIdentity, candidates)
            ?? RendezvousHome.Of(target.GrainIdentity, compatible)
            ?? context.LocalSilo;
        return Task.FromResult(home);
    }
}
