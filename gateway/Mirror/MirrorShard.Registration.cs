using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Time;

namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// A client's registration on its way to the cluster, with the deadline this gateway had when it
/// left, and how long before that its latest heartbeat had arrived. <paramref name="Provisional"/>:
/// a new client the per-network budget may still refuse (see <see cref="MirrorShard.SettleBudget"/>).
/// </summary>
internal readonly record struct PendingRegistration(int Shard, ShardMember Member, long DeadlineMs, int HeartbeatAgeMs, bool Provisional = false);

/// <summary>
/// Registration: what the cluster must hear of this shard's clients. A new client is claimed (its
/// client partition learns the owner) and joined (its shard grain holds it); a known one's deadline
/// is refreshed in the shard grain only when the copy there would lag by the refresh lag. Each entry
/// is queued at most once per kind, so the queues are bounded by the number of clients.
/// A client new from a heartbeat is pinged at once but provisional: the per-network budget grain
/// may refuse it before its claim leaves (<see cref="SettleBudget"/>).
/// </summary>
internal sealed partial class MirrorShard
{
    // Entry indices, each at most once (EntryState.InClaimQueue, InRefreshQueue): an index left by a
    // removed entry stays until the next drain, and serves whichever entry takes its slot meanwhile.
    private readonly List<int> _claims = [];
    private readonly List<int> _refreshes = [];

    // Entries whose claim waits to leave: exact, for the gauge (the queue may also hold freed slots).
    private int _claimsQueued;

    /// <summary>Claims waiting to leave (not yet drained), for the metrics.</summary>
    public int ClaimsQueued => Volatile.Read(ref _claimsQueued);

    /// <summary>
    /// Queues the claim of a client a heartbeat just added, provisional unless its source is exempt
    /// from the per-network rules (then the budget has nothing to say, and a flood from loopback
    /// costs no settling pass).
    /// </summary>
    private void QueueNewClaim(int i)
    {
        MarkProvisional(i);
        QueueClaim(i);
    }

    /// <summary>Until its network's budget grain counts it, unless the per-network rules skip its source.</summary>
    private void MarkProvisional(int i)
    {
        if (!context.Admission.IsExempt(_entries[i].Client.Address)) _entries[i].State |= EntryState.BudgetPending;
    }

    /// <summary>Queues a claim; an entry the budget counted already (a retry, a re-registration) is not provisional again.</summary>
    private void QueueClaim(int i)
    {
        ref var entry = ref _entries[i];
        if ((entry.State & EntryState.ClaimQueued) == 0) _claimsQueued++;
        entry.State = (entry.State & ~EntryState.Registered) | EntryState.ClaimQueued;
        if ((entry.State & EntryState.InClaimQueue) != 0) return;
        entry.State |= EntryState.InClaimQueue;
        _claims.Add(i);
    }

    private void QueueRefreshIfDue(int i)
    {
        ref var entry = ref _entries[i];
        if ((entry.State & EntryState.RefreshQueued) != 0 || entry.DeadlineMs - entry.ShardDeadlineMs < context.RefreshLagMs) return;
        entry.State |= EntryState.RefreshQueued;
        if ((entry.State & EntryState.InRefreshQueue) != 0) return;
        entry.State |= EntryState.InRefreshQueue;
        _refreshes.Add(i);
    }

    /// <summary>Registers the client again under a new claim: its shard grain no longer holds it, though this gateway still pings it.</summary>
    private void Reclaim(int i)
    {
        ref var entry = ref _entries[i];
        entry.ClaimId = context.ClaimIds.Next();
        entry.ShardDeadlineMs = 0;
        entry.State &= ~EntryState.Registered;
        if ((entry.State & EntryState.ClaimQueued) == 0) QueueClaim(i);
    }

    /// <summary>
    /// Takes the queued claims; they are in flight until <see cref="CompleteClaims"/>. A claim whose id
    /// was made before the cluster granted this process its epoch (below <see cref="ClaimIds.Floor"/>)
    /// never left, and leaves under a new id, so that it comes after every earlier process's claims.
    /// </summary>
    public void DrainClaims(List<PendingRegistration> into, long nowMs)
    {
        lock (_gate)
        {
            long floor = context.ClaimIds.Floor;
            foreach (int i in _claims)
            {
                ref var entry = ref _entries[i];
                entry.State &= ~EntryState.InClaimQueue;
                if ((entry.State & EntryState.ClaimQueued) == 0) continue; // removed or unregistered since; its slot may hold another client now
                _claimsQueued--;
                if (entry.ClaimId < floor) entry.ClaimId = context.ClaimIds.Next();
                entry.State = (entry.State & ~EntryState.ClaimQueued) | EntryState.ClaimInFlight;
                into.Add(Pending(entry, nowMs));
            }
            _claims.Clear();
        }
    }

    /// <summary>
    /// The cluster has just granted this process its epoch: claims made before it (all still queued)
    /// take ids above it now, before any snapshot is merged, so that no removal of an earlier
    /// process's claim can take a client that has just heartbeated this one.
    /// </summary>
    public void RestampUnsent() => ForEachEntry(i =>
    {
        ref var entry = ref _entries[i];
        if ((entry.State & EntryState.ClaimQueued) != 0 && entry.ClaimId < context.ClaimIds.Floor) entry.ClaimId = context.ClaimIds.Next();
    });

    /// <summary>Takes the queued refreshes; they stay marked until <see cref="CompleteRefreshes"/>.</summary>
    public void DrainRefreshes(List<PendingRegistration> into, long nowMs)
    {
        lock (_gate)
        {
            foreach (int i in _refreshes)
            {
                ref var entry = ref _entries[i];
                entry.State &= ~EntryState.InRefreshQueue;
                if ((entry.State & EntryState.RefreshQueued) == 0) continue;
                into.Add(Pending(entry, nowMs));
            }
            _refreshes.Clear();
        }
    }

    /// <summary>
    /// Adds every live member of client partition <paramref name="partition"/> this shard owns, under
    /// its current claim, for a partition that may have forgotten its owners: not provisional (the
    /// budget may still refuse it), not lapsed, deadline ahead. Changes no state. In holds of <see cref="EntriesPerHold"/>.
    /// </summary>
    public void CollectOwned(int partition, List<PendingRegistration> into, long nowMs) => ForEachEntry(i =>
    {
        ref var entry = ref _entries[i];
        if (entry.DeadlineMs <= nowMs || (entry.State & (EntryState.BudgetPending | EntryState.Lapsed)) != 0) return;
        if (ClientPartitions.Of(entry.Client) != partition) return;
        into.Add(Pending(entry, nowMs));
    });

    private PendingRegistration Pending(in Entry entry, long nowMs) =>
        new(Index, Member(entry, nowMs), entry.DeadlineMs, HeartbeatAge(entry, nowMs), (entry.State & EntryState.BudgetPending) != 0);

    /// <summary>
    /// The cluster's answer to claims: taken ones are registered (and refreshed at once if a
    /// heartbeat moved the deadline meanwhile); failed ones are queued again.
    /// </summary>
    public void CompleteClaims(IEnumerable<(PendingRegistration Claim, bool Taken)> results)
    {
        lock (_gate)
        {
            foreach (var (claim, taken) in results)
            {
                if (!TryFind(claim.Member, out int i)) continue;
                ref var entry = ref _entries[i];
                entry.State &= ~EntryState.ClaimInFlight;
                if ((entry.State & EntryState.ClaimQueued) != 0) continue; // claimed anew meanwhile
                if (!taken)
                {
                    QueueClaim(i);
                    continue;
                }
                entry.State |= EntryState.Registered;
                entry.ShardDeadlineMs = Math.Max(entry.ShardDeadlineMs, claim.DeadlineMs);
                QueueRefreshIfDue(i);
            }
        }
    }

    /// <summary>
    /// The budget grains' answer about this shard's provisional clients: a refused one is removed
    /// (no more pings, no claim; its network's count goes down with it), the others are confirmed.
    /// Returns how many were removed.
    /// </summary>
    public int SettleBudget(IEnumerable<(PendingRegistration Claim, bool Refused)> results)
    {
        int removed = 0;
        lock (_gate)
        {
            foreach (var (claim, refused) in results)
            {
                if (!TryFind(claim.Member, out int i) || (_entries[i].State & EntryState.BudgetPending) == 0) continue;
                _entries[i].State &= ~EntryState.BudgetPending;
                if (!refused) continue;
                context.Refusals.Record(_entries[i].Client, DropReason.OverPrefixBudget, Monotonic.NowMs());
                RemoveAt(i);
                removed++;
            }
        }
        return removed;
    }

    public void CompleteRefreshes(IEnumerable<(PendingRegistration Refresh, bool Taken)> results)
    {
        lock (_gate)
        {
            foreach (var (refresh, taken) in results)
            {
                if (!TryFind(refresh.Member, out int i)) continue;
                ref var entry = ref _entries[i];
                entry.State &= ~EntryState.RefreshQueued;
                if ((entry.State & EntryState.Registered) == 0) continue;
                if (taken) entry.ShardDeadlineMs = Math.Max(entry.ShardDeadlineMs, refresh.DeadlineMs);
                QueueRefreshIfDue(i);
            }
        }
    }

    /// <summary>The entry a message is about, if it still holds the same claim.</summary>
    private bool TryFind(in ShardMember member, out int i) =>
        _index.TryGetValue(member.Client, out i) && _entries[i].ClaimId == member.ClaimId;

    /// <summary>A deadline is the latest heartbeat plus the expiry (for a client learnt from a shard, a lower bound of it).</summary>
    private int HeartbeatAge(in Entry entry, long nowMs) => (int)Math.Clamp(nowMs - HeardMs(entry), 0, int.MaxValue);

    /// <summary>When the heartbeat behind the entry's deadline arrived: what its claims and the moved-removal rule both go by.</summary>
    private long HeardMs(in Entry entry) => entry.DeadlineMs - context.ExpiryMs;

    private ShardMember Member(in Entry entry, long nowMs) =>
        new(entry.Client, entry.Local, Monotonic.TtlMs(entry.DeadlineMs, nowMs), entry.ClaimId);

    /// <summary>How many entry indices each queue holds, stale ones included: bounded by the entries (tests check it through InternalsVisibleTo).</summary>
    internal (int Claims, int Refreshes) QueueLengths
    {
        get { lock (_gate) return (_claims.Count, _refreshes.Count); }
    }
}
