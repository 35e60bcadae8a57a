using TixTrigger.Gateway.Abuse;

namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// What the abuse rules (<c>gateway/Abuse</c>) need done to this shard's entries: a probe moves a
/// client's slot; a full gateway replaces a stale sign-up; a gateway of the cluster is no client.
/// The rules themselves live in their own types; this part only applies them. Callers hold the lock
/// unless a method says otherwise.
/// </summary>
internal sealed partial class MirrorShard
{
    /// <summary>The echo rule's test: the client's pings move to another slot.</summary>
    private void MoveToSlot(int i, int slot)
    {
        ref var entry = ref _entries[i];
        int moved = _wheel.RemoveAt(entry.Slot, entry.SlotPosition);
        if (moved >= 0) _entries[moved].SlotPosition = entry.SlotPosition;
        entry.Slot = (byte)slot;
        entry.SlotPosition = _wheel.Add(slot, i);
    }

    /// <summary>
    /// Looks at a few entries at random and removes the first stale sign-up among them: under a flood
    /// of forged sources nearly every entry is one, and the work per datagram stays bounded when few
    /// are. The shard grain keeps its copy until its own expiry; this gateway no longer pings it.
    /// </summary>
    private bool TryRemoveStaleSignup(long nowMs)
    {
        if (_used == 0) return false;
        for (int sample = 0; sample < StaleSignups.Samples; sample++)
        {
            int i = Random.Shared.Next(_used);
            ref var entry = ref _entries[i];
            if (entry.DeadlineMs == 0 || !StaleSignups.IsStale(entry.Cadence, nowMs, context.ExpiryMs)) continue;
            RemoveAt(i);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Removes every entry that is a UDP endpoint of a gateway of the cluster; returns how many. Takes
    /// the lock, <see cref="EntriesPerHold"/> entries at a time.
    /// </summary>
    public int RemoveClusterGateways()
    {
        int removed = 0;
        ForEachEntry(i =>
        {
            if (!context.Admission.Gateways.Contains(_entries[i].Client)) return;
            RemoveAt(i);
            removed++;
        });
        return removed;
    }
}
