using TixTrigger.Endpoints;
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
        Settings = new MirrorSettings(options.ClientExpirationSeconds, new AdmissionControl(options), secret);
        _shards = [.. Enumerable.Range(0, options.ShardsPerGateway).Select(index => new MirrorShard(index, Settings))];
    }

    // An array, not the interface: foreach over it allocates no enumerator on the sending path.
    private readonly MirrorShard[] _shards;

    public MirrorSettings Settings { get; }

    public IReadOnlyList<MirrorShard> Shards => _shards;

    public int Count => Settings.Admission.Count;

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
        Settings.Sending(slot, nowMs);
        batch.Clear();
        foreach (var shard in _shards) shard.CollectSlot(slot, nowMs, batch);
    }

    /// <summary>The epoch the cluster granted this process: every claim from now on, and every one still queued, comes after all earlier processes' claims.</summary>
    public void StartEpoch(long epoch)
    {
        Settings.StartEpoch(epoch);
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

    public List<PendingRegistration> DrainRefreshes(long nowMs)
    {
        var refreshes = new List<PendingRegistration>();
        foreach (var shard in _shards) shard.DrainRefreshes(refreshes, nowMs);
        return refreshes;
    }
}
