using TixTrigger.Endpoints;

namespace TixTrigger.Grains;

/// <summary>Which <see cref="IPrefixBudgetGrain"/> counts a network: the same in every process, so that every gateway reports a network to the same grain.</summary>
public static class PrefixBudgets
{
    /// <summary>Enough to spread the networks over many silos; few enough that a gateway's round costs a handful of calls.</summary>
    public const int Count = 64;

    /// <param name="prefix">The network's address (host bits zero), as the gateway's per-network rules compute it.</param>
    public static int Of(PackedAddress prefix) => (int)(prefix.StableHash() % Count);
}
