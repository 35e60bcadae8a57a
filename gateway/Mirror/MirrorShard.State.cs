using TixTrigger.Gateway.Abuse;

namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// State: this shard's clients as a gateway saves them (STATE_DIR) or hands them to its successor,
/// and taken back at start. A restored client passes admission as any new one does (caps, the
/// per-network budget, never a gateway of the cluster; not the new-client rates, which a restart of
/// a full gateway would otherwise turn into minutes of silence), keeps its slot, and is claimed again
/// with the age of its latest heartbeat, so a client that has heartbeated another gateway since stays there.
/// </summary>
internal sealed partial class MirrorShard
{
    // Bumped under the lock: the saver writes a snapshot only when they moved.
    private int _membershipChanges;
    private int _deadlineChanges;

    /// <summary>How often a client was added or removed, and a deadline moved by a heartbeat (wrapping counters).</summary>
    public (int Membership, int Deadlines) Changes => (Volatile.Read(ref _membershipChanges), Volatile.Read(ref _deadlineChanges));

    /// <summary>
    /// Hands <paramref name="save"/> every client still pinged, its deadline on the wall clock
    /// (<paramref name="wallNowMs"/> is now there), in <paramref name="chunk"/> (at least <see cref="EntriesPerHold"/> long).
    /// Each chunk is copied under the lock and saved after it is released: a file write may block for milliseconds, the sender must not.
    /// </summary>
    public void Export(long nowMs, long wallNowMs, SavedClient[] chunk, Action<SavedClient[], int> save)
    {
        for (int start = 0; ; start += EntriesPerHold)
        {
            int copied = 0;
            GiveWayToSender();
            lock (_gate)
            {
                int end = Math.Min(start + EntriesPerHold, _used);
                if (start >= end) return;
                for (int i = start; i < end; i++)
                {
                    ref var entry = ref _entries[i];
                    if (entry.DeadlineMs <= nowMs || (entry.State & EntryState.Lapsed) != 0) continue; // also a free slot (0)
                    chunk[copied++] = new SavedClient(entry.Client, entry.Local, wallNowMs + (entry.DeadlineMs - nowMs), entry.Slot, wallNowMs - (nowMs - entry.SinceSeconds * 1000L));
                }
                Held(end - start);
            }
            if (copied > 0) save(chunk, copied);
        }
    }

    /// <summary>
    /// Takes back saved clients of this shard: one whose deadline has passed, or that is here
    /// already, is skipped; admission may refuse one (<paramref name="refused"/> hears why).
    /// Returns how many were restored.
    /// </summary>
    public int Restore(SavedClient[] clients, long nowMs, long wallNowMs, Action<Admission> refused)
    {
        Reserve(clients.Length);
        int restored = 0;
        ForEachChunk(clients, client =>
        {
            long ttl = client.DeadlineUnixMs - wallNowMs;
            if (ttl <= 0 || _index.ContainsKey(client.Client)) return;
            if (context.Admission.TryAdd(client.Client, nowMs, AdmissionPath.Restore) is { } reason)
            {
                refused(Admission.Refused(reason));
                return;
            }
            // The deadline is the latest heartbeat plus the expiry: the claim carries that heartbeat's real age.
            long deadline = nowMs + Math.Min(ttl, context.ExpiryMs);
            int added = Add(client.Client, client.Local, deadline, context.ClaimIds.Next(), client.Slot % SlotWheel.SlotCount);
            ref var entry = ref _entries[added];
            // Heard when its deadline was set: the stale sign-up rule and the lookup see its real last heartbeat.
            entry.Cadence = DatagramCadence.Resumed(deadline - context.ExpiryMs);
            if (client.SinceUnixMs > 0) entry.SinceSeconds = (int)((nowMs - Math.Max(0, wallNowMs - client.SinceUnixMs)) / 1000);
            QueueNewClaim(added);
            restored++;
        });
        return restored;
    }

    /// <summary>Room for <paramref name="more"/> entries at once: a million restored clients grow no table step by step.</summary>
    private void Reserve(int more)
    {
        lock (_gate)
        {
            _index.EnsureCapacity(_index.Count + more);
            int needed = _used + more;
            if (_entries.Length < needed) Array.Resize(ref _entries, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)needed));
        }
    }
}
