using System.Net;
using System.Net.Sockets;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Udp;
using TixTrigger.Messages;

namespace TixTrigger.Gateway.Pinging;

/// <summary>
/// The gateway's copy of its shards' members, arranged for sending: each client sits in a fixed
/// slot of the second (its phase), so a whole second's pings are spread evenly and each client's
/// interval stays at 1000 ms whatever the shards' timers do. Heartbeats refresh it directly;
/// shard ticks, snapshots and refills keep it equal to the cluster's truth.
/// </summary>
internal sealed class PingMirror(AddressFamily socketFamily, int maxClients, int maxClientsPerIp)
{
    public const int SlotCount = 100;

    /// <summary>Heartbeats of one client reach the cluster at most this often.</summary>
    private const long ForwardIntervalMs = 1_000;

    /// <summary>An entry this far past its deadline is dropped even if no shard said so (its shard is gone).</summary>
    private const long PruneAfterMs = 60_000;

    private struct Entry
    {
        public ClientEndpoint Client;
        public SocketAddress Remote;
        public PackedAddress Local;
        public long DeadlineUnixMs;
        public long RefreshedUnixMs;
        // The deadline of the last heartbeat forwarded to the cluster, and the latest deadline the
        // shard is known to hold. Forwarded above confirmed: the shard has not (yet) taken it.
        public long ForwardedDeadlineUnixMs;
        public long ConfirmedDeadlineUnixMs;
        public int Shard;
        public int Slot;
        public int SlotPosition;
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<ClientEndpoint, int> _index = [];
    private readonly Dictionary<PackedAddress, int> _perIp = [];
    private readonly Stack<int> _free = new();
    private readonly SlotList[] _slots = CreateSlots();
    private Entry[] _entries = new Entry[1024];
    private int _used;

    // The slot the sender handled last. Read and written under the lock, so a new client placed
    // in the slot after it is pinged within ~10 ms, never a second late.
    private int _lastSentSlot;

    public int Count
    {
        get { lock (_gate) return _index.Count; }
    }

    private static SlotList[] CreateSlots()
    {
        var slots = new SlotList[SlotCount];
        for (int i = 0; i < slots.Length; i++) slots[i] = new SlotList();
        return slots;
    }

    /// <summary>
    /// A heartbeat arrived: refresh the client, or add it (phased to be pinged next) if the limits
    /// allow. A client heartbeating faster than once a second is refreshed here but forwarded to
    /// the cluster at most once a second (<see cref="Admission.Coalesced"/>).
    /// </summary>
    public Admission Admit(ClientEndpoint client, PackedAddress local, long deadlineUnixMs, long nowUnixMs, int shard)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(client, out int i))
            {
                ref var entry = ref _entries[i];
                entry.DeadlineUnixMs = Math.Max(entry.DeadlineUnixMs, deadlineUnixMs);
                entry.Local = local;
                if (nowUnixMs - entry.RefreshedUnixMs < ForwardIntervalMs && entry.Shard == shard) return Admission.Coalesced;
                entry.RefreshedUnixMs = nowUnixMs;
                entry.ForwardedDeadlineUnixMs = entry.DeadlineUnixMs;
                entry.Shard = shard;
                return Admission.Refreshed;
            }
            if (_index.Count >= maxClients) return Admission.OverCapacity;
            if (_perIp.TryGetValue(client.Address, out int fromIp) && fromIp >= maxClientsPerIp) return Admission.OverIpLimit;
            ref var added = ref Add(new ShardMember(client, local, deadlineUnixMs), shard, (_lastSentSlot + 1) % SlotCount);
            added.RefreshedUnixMs = nowUnixMs;
            added.ForwardedDeadlineUnixMs = deadlineUnixMs;
            return Admission.Added;
        }
    }

    /// <summary>A shard says this member exists (tick): the later deadline wins.</summary>
    public void Upsert(in ShardMember member, int shard, int slot)
    {
        lock (_gate)
        {
            UpsertLocked(member, shard, slot);
        }
    }

    private void UpsertLocked(in ShardMember member, int shard, int slot)
    {
        if (_index.TryGetValue(member.Client, out int i))
        {
            ref var entry = ref _entries[i];
            if (member.DeadlineUnixMs > entry.DeadlineUnixMs)
            {
                entry.DeadlineUnixMs = member.DeadlineUnixMs;
                entry.Local = member.Local;
            }
            entry.ConfirmedDeadlineUnixMs = Math.Max(entry.ConfirmedDeadlineUnixMs, member.DeadlineUnixMs);
            entry.Shard = shard;
            return;
        }
        Add(member, shard, slot).ConfirmedDeadlineUnixMs = member.DeadlineUnixMs;
    }

    /// <summary>The cluster took a heartbeat: its shard holds the client until <paramref name="held"/>'s deadline.</summary>
    public void Confirm(in ShardMember held)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(held.Client, out int i))
            {
                ref var entry = ref _entries[i];
                entry.ConfirmedDeadlineUnixMs = Math.Max(entry.ConfirmedDeadlineUnixMs, held.DeadlineUnixMs);
            }
        }
    }

    /// <summary>
    /// A shard removed this member (expired, or moved to another gateway). Kept if a heartbeat
    /// forwarded since carries a later deadline than the shard knew: that heartbeat is on its way
    /// to the shard and re-registers it there. (A coalesced heartbeat was never sent, so it keeps nothing.)
    /// </summary>
    public void Remove(in ShardMember removed)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(removed.Client, out int i) && _entries[i].ForwardedDeadlineUnixMs <= removed.DeadlineUnixMs)
            {
                RemoveAt(i);
            }
        }
    }

    public ShardMember[] MembersOf(int shard)
    {
        lock (_gate)
        {
            var members = new List<ShardMember>();
            foreach (int i in _index.Values)
            {
                ref var entry = ref _entries[i];
                if (entry.Shard == shard) members.Add(new ShardMember(entry.Client, entry.Local, entry.DeadlineUnixMs));
            }
            return [.. members];
        }
    }

    /// <summary>
    /// The members of one shard that a snapshot lacks although the shard has not confirmed their
    /// latest heartbeat: a snapshot must not drop them; they are to be re-registered instead.
    /// </summary>
    public ShardMember[] UnconfirmedMissingFrom(int shard, ShardMember[] snapshot)
    {
        lock (_gate)
        {
            var present = new HashSet<ClientEndpoint>(snapshot.Select(m => m.Client));
            var missing = new List<ShardMember>();
            foreach (int i in _index.Values)
            {
                ref var entry = ref _entries[i];
                if (entry.Shard == shard && entry.ForwardedDeadlineUnixMs > entry.ConfirmedDeadlineUnixMs && !present.Contains(entry.Client))
                {
                    missing.Add(new ShardMember(entry.Client, entry.Local, entry.DeadlineUnixMs));
                }
            }
            return [.. missing];
        }
    }

    /// <summary>
    /// Makes one shard's part of the mirror equal to a snapshot. Entries the snapshot lacks are
    /// dropped only if the shard had confirmed them (so it removed them since: an expiry or a move).
    /// </summary>
    public void ReplaceShard(int shard, ShardMember[] members, Func<ClientEndpoint, int> slotOf)
    {
        lock (_gate)
        {
            var keep = new HashSet<ClientEndpoint>(members.Length);
            foreach (var member in members)
            {
                keep.Add(member.Client);
                UpsertLocked(member, shard, slotOf(member.Client));
            }
            var stale = new List<int>();
            foreach (int i in _index.Values)
            {
                ref var entry = ref _entries[i];
                if (entry.Shard == shard && !keep.Contains(entry.Client) && entry.ForwardedDeadlineUnixMs <= entry.ConfirmedDeadlineUnixMs)
                {
                    stale.Add(i);
                }
            }
            foreach (int i in stale) RemoveAt(i);
        }
    }

    /// <summary>Pings every live member of one slot. Allocates nothing.</summary>
    public void SendSlot(int slot, long nowUnixMs, IDatagramSocket socket, ReadOnlySpan<byte> payload, out int sent, out int failed)
    {
        sent = 0;
        failed = 0;
        lock (_gate)
        {
            _lastSentSlot = slot;
            var list = _slots[slot];
            // Backwards, so that pruning (which swaps the last entry in) never skips one.
            for (int position = list.Count - 1; position >= 0; position--)
            {
                int i = list[position];
                ref var entry = ref _entries[i];
                if (entry.DeadlineUnixMs > nowUnixMs)
                {
                    if (socket.TrySend(payload, entry.Remote, entry.Local)) sent++;
                    else failed++;
                }
                else if (nowUnixMs - entry.DeadlineUnixMs > PruneAfterMs)
                {
                    RemoveAt(i);
                }
            }
        }
    }

    /// <summary>A new entry: neither refreshed by a heartbeat nor forwarded nor confirmed yet; callers say which.</summary>
    private ref Entry Add(in ShardMember member, int shard, int slot)
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
        ref var entry = ref _entries[i];
        entry.Client = member.Client;
        entry.Remote = member.Client.ToSocketAddress(socketFamily);
        entry.Local = member.Local;
        entry.DeadlineUnixMs = member.DeadlineUnixMs;
        entry.RefreshedUnixMs = 0;
        entry.ConfirmedDeadlineUnixMs = 0;
        entry.ForwardedDeadlineUnixMs = 0;
        entry.Shard = shard;
        entry.Slot = slot;
        entry.SlotPosition = _slots[slot].Add(i);
        _index[member.Client] = i;
        _perIp[member.Client.Address] = _perIp.GetValueOrDefault(member.Client.Address) + 1;
        return ref entry;
    }

    private void RemoveAt(int i)
    {
        ref var entry = ref _entries[i];
        int moved = _slots[entry.Slot].RemoveAt(entry.SlotPosition);
        if (moved >= 0) _entries[moved].SlotPosition = entry.SlotPosition;
        _index.Remove(entry.Client);
        int fromIp = _perIp[entry.Client.Address] - 1;
        if (fromIp == 0) _perIp.Remove(entry.Client.Address);
        else _perIp[entry.Client.Address] = fromIp;
        entry = default;
        _free.Push(i);
    }
}
