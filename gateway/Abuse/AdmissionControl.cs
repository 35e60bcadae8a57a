using TixTrigger.Endpoints;
using TixTrigger.Gateway.Abuse;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Mirror;

/// <summary>What the gateway made of a datagram, or of a member the cluster told it about.</summary>
internal enum Admission
{
    Added,

    /// <summary>Added in place of a stale sign-up (see <see cref="StaleSignups"/>): the gateway was full.</summary>
    Replaced,

    Refreshed,
    OverIpLimit,
    OverPrefixBudget,
    OverCapacity,
    PrefixRateLimited,
    GatewayRateLimited,
    ClusterGateway,
    Echo,
    Trigger,
}

/// <summary>
/// Which way a new member comes: a heartbeat is rate-limited; the cluster's record of clients
/// registered before is not, nor a gateway's own snapshot or its predecessor's clients (they passed
/// the rates when they signed up). The caps and the per-network budget hold for every path.
/// </summary>
internal enum AdmissionPath
{
    Heartbeat,
    Cluster,
    Restore,
}

internal static class AdmissionDrops
{
    /// <summary>The drop a refused admission is counted as.</summary>
    public static DropReason Reason(this Admission verdict) => verdict switch
    {
        Admission.OverIpLimit => DropReason.OverIpLimit,
        Admission.OverPrefixBudget => DropReason.OverPrefixBudget,
        Admission.PrefixRateLimited => DropReason.PrefixRateLimited,
        Admission.GatewayRateLimited => DropReason.GatewayRateLimited,
        Admission.ClusterGateway => DropReason.ClusterGateway,
        Admission.Echo => DropReason.Echo,
        Admission.Trigger => DropReason.Trigger,
        _ => DropReason.OverCapacity,
    };
}

/// <summary>
/// The limits every new client of a gateway passes, whichever way it arrives (a heartbeat, a
/// snapshot): never a gateway of this cluster; at most so many per source address and in all;
/// per source prefix (/24, /56), within the cluster-wide ping budget as far as this gateway knows
/// it (<see cref="PrefixBudget"/>); and, for heartbeats, at most so many new ones a second per prefix
/// and per gateway. Loopback sources (<c>PREFIX_LIMITS_EXEMPT</c>) skip the per-prefix limits,
/// which protect networks our pings could flood. Touched only when a client is added or removed,
/// never by a refresh or a ping; refusing allocates nothing.
/// </summary>
internal sealed class AdmissionControl(UdpGatewayOptions options)
{
    private readonly Lock _gate = new();
    private readonly Tally<PackedAddress> _perAddress = new();
    private readonly PrefixBudget _budget = new(options.MaxPingsPerSecondPerPrefix);
    private readonly NewClientRates _rates = new(options.NewClientsPerSecond, options.NewClientsPerSecondPerPrefix);
    private readonly AddressRange[] _exempt = options.PrefixLimitsExempt;
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ClusterGateways Gateways { get; } = new();

    public Admission TryAdd(ClientEndpoint client, long nowMs, AdmissionPath path)
    {
        if (Gateways.Contains(client)) return Admission.ClusterGateway;
        var prefix = SourcePrefix.Of(client.Address);
        bool exempt = IsExempt(client.Address);
        lock (_gate)
        {
            if (_perAddress[client.Address] >= options.MaxClientsPerIp) return Admission.OverIpLimit;
            if (!exempt && !BudgetAllows(prefix, nowMs)) return Admission.OverPrefixBudget;
            if (path == AdmissionPath.Heartbeat)
            {
                var rate = _rates.Check(prefix, exempt, nowMs);
                if (rate != Admission.Added) return rate;
            }
            // Last, so that a full gateway makes room (a stale sign-up) only for a client nothing else refuses.
            if (_count >= options.MaxClients) return Admission.OverCapacity;
            if (path == AdmissionPath.Heartbeat) _rates.Take(prefix, exempt);
            _perAddress.Increment(client.Address);
            if (!exempt) _budget.Increment(prefix);
            _count++;
            return Admission.Added;
        }
    }

    /// <summary>The networks the budget grains must hear of now, with this gateway's counts (see <see cref="PrefixBudget.TakeReports"/>).</summary>
    public void TakeBudgetReports(List<(PackedAddress Prefix, int Count)> into, IEnumerable<PackedAddress> alsoThese, ReadOnlySpan<bool> everyOfGrain)
    {
        lock (_gate) _budget.TakeReports(into, alsoThese, everyOfGrain);
    }

    /// <summary>What a budget grain said the other gateways hold in these networks.</summary>
    public void SetBudgetOthers(IEnumerable<(PackedAddress Prefix, int Others)> others)
    {
        lock (_gate)
        {
            foreach (var (prefix, count) in others) _budget.SetOthers(prefix, count);
        }
    }

    /// <summary>A client gone; <paramref name="lapsed"/> if its network's budget let go of it already.</summary>
    public void Remove(ClientEndpoint client, bool lapsed)
    {
        bool counted = !lapsed && !IsExempt(client.Address);
        lock (_gate)
        {
            _count--;
            _perAddress.Decrement(client.Address);
            if (counted) _budget.Decrement(SourcePrefix.Of(client.Address));
        }
    }

    /// <summary>A client's deadline passed: it is kept a while, unpinged, and no longer spends its network's budget.</summary>
    public void Lapse(ClientEndpoint client)
    {
        if (IsExempt(client.Address)) return;
        lock (_gate) _budget.Decrement(SourcePrefix.Of(client.Address));
    }

    /// <summary>A lapsed client heard from again: pinged again only within its network's budget, as a new client would be.</summary>
    public Admission Resume(ClientEndpoint client, long nowMs)
    {
        if (IsExempt(client.Address)) return Admission.Added;
        var prefix = SourcePrefix.Of(client.Address);
        lock (_gate)
        {
            if (!BudgetAllows(prefix, nowMs)) return Admission.OverPrefixBudget;
            _budget.Increment(prefix);
            return Admission.Added;
        }
    }

    /// <summary>Whether a network's budget has room for one more client; a refusal has the grain asked afresh. Caller holds the lock.</summary>
    private bool BudgetAllows(PackedAddress prefix, long nowMs)
    {
        if (_budget.Allows(prefix)) return true;
        _budget.Refused(prefix, nowMs);
        return false;
    }

    /// <summary>Whether the per-network rules (the rate and the budget) skip this source.</summary>
    public bool IsExempt(PackedAddress address)
    {
        foreach (var range in _exempt)
        {
            if (range.Contains(address)) return true;
        }
        return false;
    }
}
