using TixTrigger.Endpoints;
using TixTrigger.Gateway.Abuse;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// The gateway's copy of its shards' members, one <see cref="MirrorShard"/> per shard grain, each
/// with its own lock, arranged for sending by the <see cref="SlotWheel"/>, limited by
/// <see cref="AdmissionControl"/>. Heartbeats change it directly; the cluster hears of new clients
/// and of deadlines that would otherwise grow stale, in batches.
/// </summary>
internal sealed class PingMirror
{
    /// <param name="secret">Where the echo rule draws its secrets: a cryptographic source unless a simulation replays a seed.</param>
    public PingMirror(UdpGatewayOptions options, Func<int, int, int>? secret = null)
    {
        Context = new MirrorContext(options.ClientExpirationSeconds, new AdmissionControl(options), secret);
        _shards = [.. Enumerable.Range(0, options.ShardsPerGateway).Select(index => new MirrorShard(index, Context))];
    }

    // An array, not the interface: foreach over it allocates no enumerator on the sending path.
    private readonly MirrorShard[] _shards;

    public MirrorContext Context { get; }

    public IReadOnlyList<MirrorShard> Shards => _shards;

    public int Count => Context.Admission.Count;

    public MirrorShard ShardOf(ClientEndpoint client) => _shards[client.ShardOf(_shards.Length)];

    /// <summary>A datagram from <paramref name="client"/>; <paramref name="isPing"/> when it holds exactly our ping's bytes.</summary>
    public Admission Admit(ClientEndpoint client, PackedAddress local, bool isPing, long nowMs) => ShardOf(client).Admit(client, local, isPing, nowMs);

    /// <summary>The cluster's gateways changed: a client entry that is one of them goes (each would keep the other pinging).</summary>
    public int RemoveClusterGateways()
    {
        int removed = 0;
        foreach (var shard in _shards) removed += shard.RemoveClusterGateways();
        return removed;
    }

    /// <summary>Gathers one slot's pings from every shard, taking each shard's lock only while it copies.</summary>
    public void CollectSlot(int slot, long nowMs, PingBatch batch)
    {
        Context.Sender.Sending(slot, nowMs);
        batch.Clear();
        foreach (var shard in _shards) shard.CollectSlot(slot, nowMs, batch);
    }

    /// <summary>The epoch the cluster granted this process: every claim from now on, and every one still queued, comes after all earlier processes' claims.</summary>
    public void StartEpoch(long epoch)
    {
        Context.ClaimIds.StartEpoch(epoch);
        foreach (var shard in _shards) shard.RestampUnsent();
    }

    /// <summary>
    /// Takes the queued claims of the shards <paramref name="shardReady"/> names (those this process
    /// has synced: their snapshot told it the claim ids it must come after); the others keep theirs.
    /// </summary>
    public List<PendingRegistration> DrainClaims(long nowMs, Func<int, bool> shardReady)
    {
        var claims = new List<PendingRegistration>();
        foreach (var shard in _shards)
        {
            if (shardReady(shard.Index)) shard.DrainClaims(claims, nowMs);
        }
        return claims;
    }

    /// <summary>Claims waiting to leave, in all shards (bounded by the clients: each entry is queued at most once).</summary>
    public int ClaimsQueued
    {
        get
        {
            int queued = 0;
            foreach (var shard in _shards) queued += shard.ClaimsQueued;
            return queued;
        }
    }

    /// <summary>
    /// Every live member of client partition <paramref name="partition"/> this gateway holds, under its
    /// current claim and heartbeat age, to claim again from a partition that may have forgotten its
    /// owners. Provisional and lapsed members are left out; no entry changes.
    /// </summary>
    public List<PendingRegistration> OwnedIn(int partition, long nowMs)
    {
        var owned = new List<PendingRegistration>();
        foreach (var shard in _shards) shard.CollectOwned(partition, owned, nowMs);
        return owned;
    }

    /// <summary>Sums of every shard's change counters: when neither moved, a snapshot would be the same.</summary>
    public (long Membership, long Deadlines) Changes
    {
        get
        {
            long membership = 0, deadlines = 0;
            foreach (var shard in _shards)
            {
                var (m, d) = shard.Changes;
                membership += (uint)m;
                deadlines += (uint)d;
            }
            return (membership, deadlines);
        }
    }

    /// <summary>Every client still pinged, shard by shard, a chunk at a time (see <see cref="MirrorShard.Export"/>).</summary>
    public void Export(long nowMs, long wallNowMs, SavedClient[] chunk, Action<SavedClient[], int> save)
    {
        foreach (var shard in _shards) shard.Export(nowMs, wallNowMs, chunk, save);
    }

    /// <summary>Takes back saved clients (see <see cref="MirrorShard.Restore"/>); returns how many.</summary>
    public int Restore(ReadOnlySpan<SavedClient> clients, long nowMs, long wallNowMs, Action<Admission> refused)
    {
        var byShard = new List<SavedClient>[_shards.Length];
        for (int s = 0; s < byShard.Length; s++) byShard[s] = [];
        foreach (ref readonly var client in clients) byShard[client.Client.ShardOf(_shards.Length)].Add(client);
        int restored = 0;
        for (int s = 0; s < _shards.Length; s++) restored += _shards[s].Restore([.. byShard[s]], nowMs, wallNowMs, refused);
        return restored;
    }

    public List<PendingRegistration> DrainRefreshes(long nowMs)
    {
        var refreshes = new List<PendingRegistration>();
        foreach (var shard in _shards) shard.DrainRefreshes(refreshes, nowMs);
        return refreshes;
    }
}
