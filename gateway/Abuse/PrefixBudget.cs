using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TixTrigger.Endpoints;
using TixTrigger.Grains;

namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// This gateway's side of the per-network ping budget: per non-exempt network (<see cref="SourcePrefix"/>),
/// its own clients there and what the other gateways hold as the budget grain last said. A new client
/// passes while the two together are under the budget, so with the cluster away a gateway still
/// holds at most the budget per network. Networks whose count changed are kept in a list for the
/// next report. Not thread-safe: <see cref="AdmissionControl"/> calls it under its lock.
/// Checking, counting and refusing allocate nothing once a network is known.
/// </summary>
internal sealed class PrefixBudget(int budget)
{
    /// <summary>After a refusal, ask the grain afresh at most this often: the others may have left.</summary>
    private const long RefusedAskIntervalMs = 1_000;

    private struct Network
    {
        public int Local;
        public int Others;
        public long AskedMs;
        public bool Dirty;
    }

    private readonly Dictionary<PackedAddress, Network> _networks = [];
    private readonly List<PackedAddress> _dirty = [];

    public int Budget { get; } = budget;

    /// <summary>No network known and none waiting to be reported.</summary>
    public bool Idle => _networks.Count == 0 && _dirty.Count == 0;

    public bool Allows(PackedAddress prefix)
    {
        var network = _networks.GetValueOrDefault(prefix);
        return (long)network.Local + network.Others < Budget;
    }

    /// <summary>A refusal: the others' count may be out of date (they left), so the next round asks again, at most once a second.</summary>
    public void Refused(PackedAddress prefix, long nowMs)
    {
        ref var network = ref CollectionsMarshal.GetValueRefOrNullRef(_networks, prefix);
        if (Unsafe.IsNullRef(ref network) || nowMs - network.AskedMs < RefusedAskIntervalMs) return;
        network.AskedMs = nowMs;
        MarkDirty(prefix, ref network);
    }

    public void Increment(PackedAddress prefix) => Change(prefix, +1);

    public void Decrement(PackedAddress prefix) => Change(prefix, -1);

    private void Change(PackedAddress prefix, int by)
    {
        ref var network = ref CollectionsMarshal.GetValueRefOrAddDefault(_networks, prefix, out _);
        network.Local = Math.Max(0, network.Local + by);
        MarkDirty(prefix, ref network);
    }

    private void MarkDirty(PackedAddress prefix, ref Network network)
    {
        if (network.Dirty) return;
        network.Dirty = true;
        _dirty.Add(prefix);
    }

    /// <summary>
    /// The networks to report, each with this gateway's count: those whose count changed, those
    /// in <paramref name="alsoThese"/> (new clients on their way), and every known one of a grain
    /// in <paramref name="everyOfGrain"/> (it lost its state, or the periodic full report is due).
    /// Networks with nothing left on either side are forgotten.
    /// </summary>
    public void TakeReports(List<(PackedAddress Prefix, int Count)> into, IEnumerable<PackedAddress> alsoThese, ReadOnlySpan<bool> everyOfGrain)
    {
        foreach (var prefix in alsoThese)
        {
            ref var network = ref CollectionsMarshal.GetValueRefOrAddDefault(_networks, prefix, out _);
            MarkDirty(prefix, ref network);
        }
        if (everyOfGrain.Contains(true))
        {
            foreach (var (prefix, network) in _networks)
            {
                if (!network.Dirty && everyOfGrain[PrefixBudgets.Of(prefix)]) _dirty.Add(prefix);
            }
        }
        foreach (var prefix in _dirty)
        {
            ref var network = ref CollectionsMarshal.GetValueRefOrNullRef(_networks, prefix);
            if (Unsafe.IsNullRef(ref network)) continue;
            network.Dirty = false;
            into.Add((prefix, network.Local));
            if (network.Local == 0 && network.Others == 0) _networks.Remove(prefix);
        }
        _dirty.Clear();
    }

    /// <summary>The grain's word on what the other gateways hold in a network.</summary>
    public void SetOthers(PackedAddress prefix, int others)
    {
        ref var network = ref CollectionsMarshal.GetValueRefOrNullRef(_networks, prefix);
        if (Unsafe.IsNullRef(ref network))
        {
            if (others > 0) _networks[prefix] = new Network { Others = others };
            return;
        }
        network.Others = others;
        if (network.Local == 0 && others == 0 && !network.Dirty) _networks.Remove(prefix);
    }
}
