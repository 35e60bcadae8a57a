using TixTrigger.Endpoints;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// The limits every new client of a gateway passes, whichever way it arrives (a heartbeat, a
/// snapshot): never a gateway of this cluster; at most so many per source address and in all;
/// per source prefix (/24, /56), within the cluster-wide ping budget as far as this gateway knows
/// it (<see cref="PrefixBudget"/>); and, for heartbeats, at most so many new ones a second per prefix
/// and per gateway. A refusal is the <see cref="DropReason"/> it is counted as. Loopback sources
/// (<c>PREFIX_LIMITS_EXEMPT</c>) skip the per-prefix limits, which protect networks our pings could
/// flood. Touched only when a client is added or removed, never by a refresh or a ping; refusing
/// allocates nothing.
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

    /// <summary>Takes a new client in and returns null, or returns why not.</summary>
    public DropReason? TryAdd(ClientEndpoint client, long nowMs, AdmissionPath path)
    {
        if (Gateways.Contains(client)) return DropReason.ClusterGateway;
        var prefix = SourcePrefix.Of(client.Address);
        bool exempt = IsExempt(client.Address);
        lock (_gate)
        {
            if (_perAddress[client.Address] >= options.MaxClientsPerIp) return DropReason.OverIpLimit;
            if (!exempt && !BudgetAllows(prefix, nowMs)) return DropReason.OverPrefixBudget;
            if (path == AdmissionPath.Heartbeat && _rates.Check(prefix, exempt, nowMs) is { } limited) return limited;
            // Last, so that a full gateway makes room (a stale sign-up) only for a client nothing else refuses.
            if (_count >= options.MaxClients) return DropReason.OverCapacity;
            if (path == AdmissionPath.Heartbeat) _rates.Take(prefix, exempt);
            _perAddress.Increment(client.Address);
            if (!exempt) _budget.Increment(prefix);
            _count++;
            return null;
        }
    }

    /// <summary>The networks the budget grains must hear of now, with this gateway's counts (see <see cref="PrefixBudget.TakeReports"/>).</summary>
    public void TakeBudgetReports(List<(PackedAddress Prefix, int Count)> into, IEnumerable<PackedAddress> alsoThese, ReadOnlySpan<bool> everyOfGrain)
    {
        lock (_gate) _budget.TakeReports(into, alsoThese, everyOfGrain);
    }

    /// <summary>Whether the budget knows no network at all (nothing to report, even in a full report).</summary>
    public bool BudgetIdle
    {
        get { lock (_gate) return _budget.Idle; }
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
    public DropReason? Resume(ClientEndpoint client, long nowMs)
    {
        if (IsExempt(client.Address)) return null;
        var prefix = SourcePrefix.Of(client.Address);
        lock (_gate)
        {
            if (!BudgetAllows(prefix, nowMs)) return DropReason.OverPrefixBudget;
            _budget.Increment(prefix);
            return null;
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
