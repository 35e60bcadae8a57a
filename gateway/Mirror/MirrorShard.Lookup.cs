using TixTrigger.Endpoints;
using TixTrigger.Status;

namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// The status page's lookup of one phone: what this shard knows of the clients of one address (and
/// port). Reads entries only. With a port it is one dictionary lookup; an address alone walks the
/// shard <see cref="EntriesPerHold"/> entries per hold of the lock, giving way to the sender.
/// </summary>
internal sealed partial class MirrorShard
{
    /// <summary>Adds the entries matching <paramref name="query"/> to <paramref name="into"/>, until it holds <paramref name="limit"/>.</summary>
    public void LookUp(PhoneQuery query, long nowMs, List<PhoneAtGateway> into, int limit)
    {
        if (query.Port is { } port)
        {
            lock (_gate)
            {
                if (into.Count < limit && _index.TryGetValue(new ClientEndpoint(query.Address, port), out int i)) into.Add(Describe(i, nowMs));
            }
            return;
        }
        ForEachEntry(i =>
        {
            if (into.Count < limit && _entries[i].Client.Address == query.Address) into.Add(Describe(i, nowMs));
        });
    }

    /// <summary>One entry as the lookup shows it. Caller holds the lock.</summary>
    private PhoneAtGateway Describe(int i, long nowMs)
    {
        ref var entry = ref _entries[i];
        var state = entry.State;
        string registration =
            (state & EntryState.Registered) != 0 ? "registered"
            : (state & EntryState.ClaimInFlight) != 0 ? "claim in flight"
            : (state & EntryState.ClaimQueued) != 0 ? "claim queued"
            : "not registered";
        var flags = new List<string>(3);
        if ((state & EntryState.BudgetPending) != 0) flags.Add("budget pending");
        if ((state & EntryState.Lapsed) != 0) flags.Add("lapsed");
        if ((state & EntryState.RefreshQueued) != 0) flags.Add("refresh queued");
        return new PhoneAtGateway(
            entry.Client,
            entry.Local,
            Index,
            entry.Slot,
            SinceAgeMs: Math.Max(0, nowMs - entry.SinceSeconds * 1000L),
            LastHeardAgeMs: nowMs - entry.Cadence.LastHeardMs,
            DeadlineTtlMs: entry.DeadlineMs - nowMs,
            entry.PingsSent,
            entry.ClaimId,
            registration,
            [.. flags],
            entry.Cadence.Describe());
    }
}
