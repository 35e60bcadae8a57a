using TixTrigger.Messages;

namespace TixTrigger.Grains;

/// <summary>
/// The per-network ping budget (<c>MAX_PINGS_PER_SECOND_PER_PREFIX</c>), counted across every
/// gateway: <see cref="PrefixBudgets.Count"/> grains, each the authority on its share of the
/// networks. Gateways report their absolute counts; the grain refuses new clients beyond the budget.
/// </summary>
[Alias("tix.IPrefixBudgetGrain")]
public interface IPrefixBudgetGrain : IGrainWithIntegerKey
{
    /// <summary>Sets this gateway's counts; refuses, per network, new clients that would take the cluster past <paramref name="budget"/>.</summary>
    [Alias("Report")]
    Task<PrefixBudgetReply> Report(string gatewayId, int budget, PrefixCount[] counts);
}
