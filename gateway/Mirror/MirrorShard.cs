using TixTrigger.Endpoints;
using TixTrigger.Gateway.Abuse;
using TixTrigger.Gateway.Udp;

namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// This gateway's clients of one shard, arranged for sending, with the gateway's own deadlines
/// (its monotonic clock: the authority on when a client's pings end). Each shard of the mirror
/// has its own lock, so the receiving thread, the sending thread and the cluster's messages meet
/// only when they touch the same shard at the same moment, and then for microseconds.
/// This file: the entries, heartbeats and sending. Registration with the cluster and
/// reconciliation with the shard grain are the other parts of this class.
/// </summary>
internal sealed partial class MirrorShard(int index, MirrorContext context)
{
    [Flags]
    private enum EntryState : byte
    {
        None = 0,

        /// <summary>The shard grain holds this claim; <see cref="Entry.ShardDeadlineMs"/> is what it knows.</summary>
        Registered = 1,
        ClaimQueued = 2,
        ClaimInFlight = 4,

        /// <summary>A refresh of the shard's deadline is queued or on its way.</summary>
        RefreshQueued = 8,

        /// <summary>New from a heartbeat, pinged, and not yet counted by the per-network budget (<see cref="SettleBudget"/>).</summary>
        BudgetPending = 16,

        /// <summary>Past its deadline, lingering unpinged: its network's budget no longer counts it.</summary>
        Lapsed = 32,

        /// <summary>
        /// This slot's index is in the claim (refresh) queue. Kept when the slot is freed and reused, so
        /// a slot is queued at most once, and each queue is bounded by the slots in use.
        /// </summary>
        InClaimQueue = 64,
        InRefreshQueue = 128,

        QueuePositions = InClaimQueue | InRefreshQueue,
    }

    private struct Entry
    {
        public ClientEndpoint Client;
        public PackedAddress Local;
        public long DeadlineMs;
        public long ShardDeadlineMs;
        public long ClaimId;
        public int SlotPosition;
        public byte Slot;
        public EntryState State;

        /// <summary>The timing of its datagrams: the echo rule, and whether it ever heartbeated twice.</summary>
        public DatagramCadence Cadence;

        /// <summary>For the status page's lookup: when this gateway took it (monotonic seconds), and the pings handed to the sender since.</summary>
        public int SinceSeconds;
        public int PingsSent;
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<ClientEndpoint, int> _index = [];
    private readonly Stack<int> _free = new();
    private readonly SlotWheel _wheel = new();
    private Entry[] _entries = new Entry[64];
    private int _used;

    public int Index { get; } = index;

    public int Count
    {
        get { lock (_gate) return _index.Count; }
    }

    /// <summary>
    /// A heartbeat from a client of this shard: refreshes it (unless it answers our pings), or adds
    /// it (pinged within ~20 ms) if the limits allow and queues its claim. A refresh costs the
    /// cluster nothing until the shard's copy of the deadline would lag by
    /// <see cref="MirrorContext.RefreshLagMs"/>; then it joins a batch.
    /// </summary>
    public Admission Admit(ClientEndpoint client, PackedAddress local, bool isPing, long nowMs)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(client, out int i)) return Refresh(i, local, isPing, nowMs);
            var refusal = context.Admission.TryAdd(client, nowMs, AdmissionPath.Heartbeat);
            bool replaced = refusal == DropReason.OverCapacity && TryRemoveStaleSignup(nowMs);
            if (replaced) refusal = context.Admission.TryAdd(client, nowMs, AdmissionPath.Heartbeat);
            if (refusal is { } reason) return Admission.Refused(reason);
            int added = Add(client, local, nowMs + context.ExpiryMs, context.ClaimIds.Next(), context.Sender.SlotAhead);
            _entries[added].Cadence = DatagramCadence.FirstDatagram(nowMs, isPing);
            QueueNewClaim(added);
            return replaced ? Admission.Replaced : Admission.Added;
        }
    }

    private Admission Refresh(int i, PackedAddress local, bool isPing, long nowMs)
    {
        ref var entry = ref _entries[i];
        if (entry.Cadence.Observe(nowMs, context.Sender.PhaseOf(entry.Slot, nowMs), isPing, context.EchoRule) is { } notHeartbeat)
        {
            return Admission.Refused(notHeartbeat);
        }
        if ((entry.State & EntryState.Lapsed) != 0)
        {
            // Back within its network's budget as far as this gateway knows, and provisional until the cluster's count says so.
            if (context.Admission.Resume(entry.Client, nowMs) is { } reason) return Admission.Refused(reason);
            entry.State &= ~EntryState.Lapsed;
            MarkProvisional(i);
            Reclaim(i);
        }
        entry.DeadlineMs = nowMs + context.ExpiryMs;
        entry.Local = local;
        _deadlineChanges++;
        if ((entry.State & EntryState.Registered) != 0) QueueRefreshIfDue(i);
        else if ((entry.State & (EntryState.ClaimQueued | EntryState.ClaimInFlight)) == 0) QueueClaim(i);
        return Admission.Refreshed;
    }

    /// <summary>
    /// Adds to <paramref name="batch"/> every live client of one slot, moving those the echo rule is
    /// testing to an earlier slot (already sent this second, so none is pinged twice); drops the
    /// ones whose deadline has passed once they have lingered. Allocates nothing.
    /// </summary>
    public void CollectSlot(int slot, long nowMs, PingBatch batch)
    {
        _senderWaiting = true;
        lock (_gate)
        {
            _senderWaiting = false;
            var list = _wheel[slot];
            // Backwards, so that a removal (which swaps the last entry in) never skips one.
            for (int position = list.Count - 1; position >= 0; position--)
            {
                int i = list[position];
                ref var entry = ref _entries[i];
                if (entry.DeadlineMs > nowMs)
                {
                    batch.Add(new PingTarget(entry.Client, entry.Local));
                    entry.PingsSent++;
                    int shift = entry.Cadence.Pinged(nowMs);
                    if (shift > 0) MoveToSlot(i, (slot - shift + SlotWheel.SlotCount) % SlotWheel.SlotCount);
                }
                else if (!entry.Cadence.Lingers(entry.DeadlineMs, nowMs))
                {
                    RemoveAt(i);
                }
                else if ((entry.State & EntryState.Lapsed) == 0)
                {
                    entry.State |= EntryState.Lapsed;
                    context.Admission.Lapse(entry.Client);
                }
            }
        }
    }

    /// <summary>
    /// How many entries (or snapshot members) a whole-shard walk handles per hold of the lock: a
    /// fraction of a millisecond, so the sender, which takes the lock every 10 ms slot, never waits
    /// for a snapshot of 100,000 members (tens of milliseconds in one hold).
    /// </summary>
    internal const int EntriesPerHold = 512;

    /// <summary>The most entries one hold of the lock has handled in a whole-shard walk: at most <see cref="EntriesPerHold"/> (tests check it through InternalsVisibleTo).</summary>
    internal int LargestHold { get; private set; }

    /// <summary>
    /// Calls <paramref name="visit"/> under the lock for every live entry, <see cref="EntriesPerHold"/>
    /// slots per hold. By index, so a chunk boundary is safe against entries added or removed between
    /// holds (an entry added behind the cursor is not visited: it is newer than the walk).
    /// </summary>
    private void ForEachEntry(Action<int> visit)
    {
        for (int start = 0; ; start += EntriesPerHold)
        {
            GiveWayToSender();
            lock (_gate)
            {
                int end = Math.Min(start + EntriesPerHold, _used);
                if (start >= end) return;
                for (int i = start; i < end; i++)
                {
                    if (_entries[i].DeadlineMs != 0) visit(i);
                }
                Held(end - start);
            }
        }
    }

    /// <summary>Calls <paramref name="apply"/> under the lock for every item, <see cref="EntriesPerHold"/> per hold.</summary>
    private void ForEachChunk<T>(T[] items, Action<T> apply)
    {
        for (int start = 0; start < items.Length; start += EntriesPerHold)
        {
            GiveWayToSender();
            lock (_gate)
            {
                int end = Math.Min(start + EntriesPerHold, items.Length);
                for (int k = start; k < end; k++) apply(items[k]);
                Held(end - start);
            }
        }
    }

    // The lock lets a running thread take it again before a woken waiter runs (for up to 100 ms of
    // waiting), so a walk that merely released it between holds would still starve the sender.
    private volatile bool _senderWaiting;

    /// <summary>Between two holds of a whole-shard walk: lets the sender, if it waits for the lock, have it first.</summary>
    private void GiveWayToSender()
    {
        var spin = new SpinWait();
        while (_senderWaiting) spin.SpinOnce();
    }

    private void Held(int entries)
    {
        if (entries > LargestHold) LargestHold = entries;
    }

    /// <summary>A new entry, not yet registered with the cluster. Caller holds the lock and has passed admission.</summary>
    private int Add(ClientEndpoint client, PackedAddress local, long deadlineMs, long claimId, int slot)
    {
        int i;
        if (_free.Count > 0)
        {
            i = _free.Pop();
        }
        else
        {
            if (_used == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
            i = _used++;
        }
        _entries[i] = new Entry
        {
            State = _entries[i].State & EntryState.QueuePositions,
            Client = client,
            Local = local,
            DeadlineMs = deadlineMs,
            ClaimId = claimId,
            Slot = (byte)slot,
            SlotPosition = _wheel.Add(slot, i),
            SinceSeconds = (int)(Time.Monotonic.NowMs() / 1000),
        };
        _index[client] = i;
        _membershipChanges++;
        context.Occupancy.Added();
        return i;
    }

    private void RemoveAt(int i)
    {
        ref var entry = ref _entries[i];
        int moved = _wheel.RemoveAt(entry.Slot, entry.SlotPosition);
        if (moved >= 0) _entries[moved].SlotPosition = entry.SlotPosition;
        _index.Remove(entry.Client);
        context.Admission.Remove(entry.Client, lapsed: (entry.State & EntryState.Lapsed) != 0);
        if ((entry.State & EntryState.ClaimQueued) != 0) _claimsQueued--;
        var positions = entry.State & EntryState.QueuePositions;
        entry = default;
        entry.State = positions;
        _free.Push(i);
        _membershipChanges++;
        context.Occupancy.Removed();
    }
}
