using TixTrigger.Gateway.Abuse;
using TixTrigger.Messages;

namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// Reconciliation: what the shard grain says changes this part of the mirror, with one rule for
/// every message: a removal names the claim it is about, and never touches a later one. The
/// gateway's own deadline stays the authority on expiry; the shard grain's lags it and only
/// matters when this gateway restarts.
/// </summary>
internal sealed partial class MirrorShard
{
    /// <summary>
    /// Applies a tick's removals: a client that moved goes, unless it was heard here after the heartbeat
    /// that took it (then it came back, and is claimed again); one the shard expired goes only if this
    /// gateway's deadline has passed too.
    /// </summary>
    public void ApplyRemovals(ShardRemoval[] removals, long nowMs)
    {
        lock (_gate)
        {
            foreach (var removal in removals) ApplyRemoval(removal, nowMs);
        }
    }

    private void ApplyRemoval(in ShardRemoval removal, long nowMs)
    {
        if (!_index.TryGetValue(removal.Client, out int i)) return;
        ref var entry = ref _entries[i];
        if (removal.Reason == RemovalReason.Moved)
        {
            if (entry.ClaimId > removal.ClaimId) return;
            if (HeardSince(entry, removal, nowMs)) Reclaim(i);
            else RemoveAt(i);
            return;
        }
        if (entry.ClaimId != removal.ClaimId) return;
        if (entry.DeadlineMs <= nowMs) Unregister(i); // it lingers, unpinged, until the sender drops it
        else Reclaim(i); // the shard's copy ran out before a refresh reached it: register it again
    }

    /// <summary>Whether this gateway heard a moved client after the heartbeat that took it. The age leaves out its time on the way, which makes that heartbeat look newer, never older: a doubt removes.</summary>
    private bool HeardSince(in Entry entry, in ShardRemoval removal, long nowMs) =>
        removal.TakenByHeartbeatAgeMs > 0 && entry.DeadlineMs > nowMs && (entry.State & EntryState.Lapsed) == 0
        && HeardMs(entry) > nowMs - removal.TakenByHeartbeatAgeMs;

    /// <summary>The shard expired a client this gateway has stopped pinging too: a later heartbeat registers it under a new claim.</summary>
    private void Unregister(int i)
    {
        ref var entry = ref _entries[i];
        entry.ClaimId = context.ClaimIds.Next();
        entry.ShardDeadlineMs = 0;
        if ((entry.State & EntryState.ClaimQueued) != 0) _claimsQueued--;
        entry.State &= EntryState.Lapsed | EntryState.QueuePositions;
    }

    /// <summary>
    /// Merges a snapshot (after this gateway started, or missed ticks). Members this gateway lacks are
    /// added through the same limits as heartbeats (all but the rates: these clients passed them when
    /// they registered, and a restarted gateway resumes them all at once), deadlines clamped to the
    /// expiry; recent moves are applied; a registered client the shard no longer holds is registered
    /// again. Nothing else is dropped: a client whose claim is still on its way is simply not in the snapshot yet.
    /// </summary>
    /// <remarks>
    /// In holds of <see cref="EntriesPerHold"/> (the sender takes the lock every 10 ms): each member,
    /// and each entry in the last pass, is handled on its own under the lock, so heartbeats between
    /// holds order with it as they would have before or after a single hold.
    /// </remarks>
    public void Merge(ShardSnapshot snapshot, long nowMs, Action<Admission> rejected)
    {
        var present = new HashSet<Endpoints.ClientEndpoint>(snapshot.Members.Length);
        foreach (var member in snapshot.Members)
        {
            if (member.TtlMs > 0) present.Add(member.Client);
        }
        // Claims still to leave come after every claim the shard names, an earlier process's included
        // (shard 0 may grant an epoch again after it lost its state): else its moves would take their clients.
        long highest = 0;
        foreach (var member in snapshot.Members) highest = Math.Max(highest, member.ClaimId);
        foreach (var departed in snapshot.Departed) highest = Math.Max(highest, departed.ClaimId);
        context.ClaimIds.Observe(highest);
        ForEachEntry(i =>
        {
            ref var entry = ref _entries[i];
            if ((entry.State & EntryState.ClaimQueued) != 0 && entry.ClaimId <= highest) entry.ClaimId = context.ClaimIds.Next();
        });
        ForEachChunk(snapshot.Departed, departed => ApplyRemoval(departed, nowMs));
        ForEachChunk(snapshot.Members, member => MergeMember(member, nowMs, rejected));
        ForEachEntry(i =>
        {
            ref var entry = ref _entries[i];
            if ((entry.State & EntryState.Registered) != 0 && !present.Contains(entry.Client) && entry.DeadlineMs > nowMs) Reclaim(i);
        });
    }

    /// <summary>One member of a snapshot. Caller holds the lock.</summary>
    private void MergeMember(in ShardMember member, long nowMs, Action<Admission> rejected)
    {
        if (member.TtlMs <= 0) return;
        context.ClaimIds.Observe(member.ClaimId);
        long deadline = nowMs + Math.Min(member.TtlMs, context.ExpiryMs);
        if (_index.TryGetValue(member.Client, out int i))
        {
            ref var entry = ref _entries[i];
            if (entry.ClaimId > member.ClaimId) return; // a newer claim is on its way
            if ((entry.State & EntryState.Lapsed) != 0) return; // expired here: only a heartbeat (and the budget) brings it back
            entry.ClaimId = member.ClaimId;
            entry.DeadlineMs = Math.Max(entry.DeadlineMs, deadline);
            entry.ShardDeadlineMs = Math.Max(entry.ShardDeadlineMs, deadline);
            MarkHeldByShard(i);
            return;
        }
        if (context.Admission.TryAdd(member.Client, nowMs, AdmissionPath.Cluster) is { } reason)
        {
            // A client the cluster handed back (a restart resuming it) and the caps refused: its lookup says so.
            context.Refusals.Record(member.Client, reason, nowMs);
            rejected(Admission.Refused(reason));
            return;
        }
        int added = Add(member.Client, member.Local, deadline, member.ClaimId, SlotWheel.SlotOf(member.Client));
        _entries[added].State |= EntryState.Registered;
        _entries[added].ShardDeadlineMs = deadline;
        _entries[added].Cadence = DatagramCadence.Resumed(nowMs);
    }

    /// <summary>Every live client of this shard, for a shard grain that lost its state. In holds of <see cref="EntriesPerHold"/>.</summary>
    public ShardMember[] MembersForRefill(long nowMs)
    {
        var members = new List<ShardMember>(Count);
        ForEachEntry(i =>
        {
            ref var entry = ref _entries[i];
            if (entry.DeadlineMs > nowMs) members.Add(Member(entry, nowMs));
        });
        return [.. members];
    }

    /// <summary>The shard grain took a refill: those claims are registered, with the deadlines sent.</summary>
    public void CompleteRefill(ShardMember[] members, long sentAtMs)
    {
        lock (_gate)
        {
            foreach (var member in members)
            {
                if (!TryFind(member, out int i)) continue;
                ref var entry = ref _entries[i];
                entry.ShardDeadlineMs = Math.Max(entry.ShardDeadlineMs, sentAtMs + member.TtlMs);
                MarkHeldByShard(i);
            }
        }
    }

    /// <summary>
    /// The shard grain holds this claim. Registered, unless the claim is still to reach (or on its
    /// way to) the client partition: its completion registers it.
    /// </summary>
    private void MarkHeldByShard(int i)
    {
        ref var entry = ref _entries[i];
        if ((entry.State & (EntryState.ClaimQueued | EntryState.ClaimInFlight)) != 0) return;
        entry.State |= EntryState.Registered;
        QueueRefreshIfDue(i);
    }
}
