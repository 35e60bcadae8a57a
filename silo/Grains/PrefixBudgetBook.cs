using TixTrigger.Endpoints;
using TixTrigger.Messages;
using TixTrigger.Protocol;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// The counting behind <see cref="PrefixBudgetGrain"/>, on a clock the caller passes in: per
/// network, each gateway's latest absolute count and when it said so. A report sets the reporting
/// gateway's count; what the other gateways hold (counts heard within <see cref="ClusterTiming.PrefixCountForgetMs"/>)
/// leaves it <c>budget - others</c>, and anything beyond is refused among the clients it reported
/// as new, never among those it had before. Reports are handled one at a time (a grain's turn), so
/// two gateways filling one network together never both get the last place.
/// </summary>
public sealed class PrefixBudgetBook
{
    private readonly Dictionary<PackedAddress, Dictionary<string, (int Count, long SeenMs)>> _networks = [];

    public int Networks => _networks.Count;

    public PrefixVerdict Report(string gatewayId, in PrefixCount count, int budget, long nowMs)
    {
        if (!_networks.TryGetValue(count.Prefix, out var gateways)) _networks[count.Prefix] = gateways = [];
        int others = Others(gateways, gatewayId, nowMs);
        int room = Math.Max(0, budget - others);
        int refused = Math.Clamp(count.Count - room, 0, Math.Max(0, count.New));
        int kept = Math.Max(0, count.Count - refused);
        if (kept > 0) gateways[gatewayId] = (kept, nowMs);
        else gateways.Remove(gatewayId);
        if (gateways.Count == 0) _networks.Remove(count.Prefix);
        return new PrefixVerdict(count.Prefix, refused, others);
    }

    /// <summary>What the other gateways hold in one network; forgets the counts of gateways silent too long.</summary>
    public int Others(PackedAddress prefix, string gatewayId, long nowMs) =>
        _networks.TryGetValue(prefix, out var gateways) ? Others(gateways, gatewayId, nowMs) : 0;

    /// <summary>Forgets every count not reported for <see cref="ClusterTiming.PrefixCountForgetMs"/>: a gateway that died leaves nothing behind.</summary>
    public void Sweep(long nowMs)
    {
        foreach (var (prefix, gateways) in _networks)
        {
            foreach (var (gateway, entry) in gateways)
            {
                if (nowMs - entry.SeenMs > ClusterTiming.PrefixCountForgetMs) gateways.Remove(gateway);
            }
            if (gateways.Count == 0) _networks.Remove(prefix);
        }
    }

    private static int Others(Dictionary<string, (int Count, long SeenMs)> gateways, string gatewayId, long nowMs)
    {
        long others = 0;
        foreach (var (gateway, entry) in gateways)
        {
            if (nowMs - entry.SeenMs > ClusterTiming.PrefixCountForgetMs) gateways.Remove(gateway);
            else if (gateway != gatewayId) others += entry.Count;
        }
        return (int)Math.Min(others, int.MaxValue);
    }
}
