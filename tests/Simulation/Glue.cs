using TixTrigger.Endpoints;
using TixTrigger.Gateway.Cluster;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Silo.Grains;

namespace TixTrigger.Tests.Simulation;

// The glue around the product's Orleans-free classes: what PingShardGrain, ClientPartitionGrain,
// ShardSynchronizer, PartitionWatcher and RegistrationFlusher do with timers, calls and awaits, in
// one file. The rules themselves are the product's: ShardMembers, ClientOwners, GatewayFence (silo);
// PingMirror, ShardLink, PartitionEpochs (gateway). Protocol.RecoveryWindow models main before
// 5b99172 (recovery window, claim-less Leave, wall-clock claim ids, no fence) on the same classes.
// Whatever a dictionary hands out is sorted before it becomes messages (see Simulation.Sorted): the
// product's dictionaries of endpoints use a per-process hash key.

/// <summary>PingShardGrain around the real <see cref="ShardMembers"/> and <see cref="GatewayFence"/>.</summary>
internal sealed class ShardGlue(Cluster cluster, string gatewayId, int index) : SimGrain(cluster, $"{gatewayId}/{index}")
{
    private const long GatewaySilenceLimitMs = TixTrigger.Protocol.ClusterTiming.GatewayGoneAfterMs;
    private const long ExpiryMarginMs = TixTrigger.Protocol.ClusterTiming.ShardExpiryMarginMs;

    private ShardMembers _members = new();
    private GatewayFence _fence = new();
    private long _unfencedGrant;
    private List<ShardRemoval> _pending = [];
    private List<ShardRemoval> _unreleased = [];
    private bool _releasing;
    private Guid _epoch;
    private long _sequence;
    private long _ticks;
    private GatewayHost? _gateway;
    private long _gatewayInstance;
    private long _lastAttachMs;

    public string GatewayId { get; } = gatewayId;
    public int Index { get; } = index;

    private bool Legacy => Cluster.Config.Protocol == Protocol.RecoveryWindow;

    protected override void OnActivate()
    {
        _members = new ShardMembers { GraceMs = 30_000 + ExpiryMarginMs };
        _fence = new GatewayFence();
        _unfencedGrant = 0;
        _pending = [];
        _unreleased = [];
        _releasing = false;
        _epoch = Cluster.NewEpoch();
        _sequence = _ticks = 0;
        _gateway = null;
        _lastAttachMs = NowMs;
        Every(1_000, 1_000, Tick);
    }

    private ShardStatus Status => new(_epoch, _sequence);

    public AttachReply Attach(GatewayHost gateway, long instance, GatewayProcess process)
    {
        long now = NowMs;
        long epoch = process.ClaimEpoch;
        if (!Legacy && Cluster.Config.Fence)
        {
            var refused = _fence.Attach(process, now, grants: Index == 0, _members.HighestClaimId >> 32, out epoch);
            if (refused is not null) return new AttachReply(Status, 0, refused);
        }
        else if (!Legacy && Index == 0 && epoch == 0)
        {
            // No fence: every process is accepted; shard 0 still grants epochs.
            epoch = _unfencedGrant = Math.Max(_unfencedGrant, _members.HighestClaimId >> 32) + 1;
        }
        _gateway = gateway;
        _gatewayInstance = instance;
        _lastAttachMs = now;
        _members.GraceMs = Math.Max(0, process.RefreshLagMs) + ExpiryMarginMs;
        return new AttachReply(Status, epoch, null);
    }

    public void Join(ShardMember[] members) => _members.Add(members, NowMs);

    public void Refresh(ShardMember[] members) => _members.Refresh(members, NowMs);

    public void Leave(ShardRemoval[] departures)
    {
        if (Legacy) departures = LegacyDepartures(departures);
        var removed = Simulation.Sorted(_members.Depart(departures, NowMs));
        Cluster.Oracle.Debug(() => $"shard {Key}: Leave {Cluster.Oracle.Names(departures.Select(d => d.Client))} (claims {string.Join(",", departures.Select(d => d.ClaimId))}) removes {Cluster.Oracle.Names(removed.Select(r => r.Client))}");
        _pending.AddRange(removed);
    }

    /// <summary>Before 5b99172 a claim-less Leave (long.MaxValue) removed whatever claim the shard held, and was nothing when it held none.</summary>
    private ShardRemoval[] LegacyDepartures(ShardRemoval[] departures)
    {
        if (departures.All(departure => departure.ClaimId != long.MaxValue)) return departures;
        var held = _members.Members(NowMs).ToDictionary(member => member.Client, member => member.ClaimId);
        return [.. departures
            .Where(departure => departure.ClaimId != long.MaxValue || held.ContainsKey(departure.Client))
            .Select(departure => departure.ClaimId == long.MaxValue ? departure with { ClaimId = held[departure.Client] } : departure)];
    }

    public ShardSnapshot GetSnapshot() =>
        new(_epoch, _sequence, Simulation.Sorted(_members.Members(NowMs)), Simulation.Sorted(_members.Departed(NowMs)));

    public ShardStatus Refill(ShardMember[] members)
    {
        _members.Add(members, NowMs);
        return Status;
    }

    private void Tick()
    {
        long now = NowMs;
        var expired = Simulation.Sorted(_members.Expire(now));
        if (expired.Length > 0)
        {
            _pending.AddRange(expired);
            _unreleased.AddRange(expired);
        }
        ReleaseOwners();
        if (++_ticks % 10 == Index % 10) _members.ForgetOldDepartures(now);

        bool silent = now - _lastAttachMs > GatewaySilenceLimitMs;
        if (_gateway is not null && silent) _gateway = null;
        if (_gateway is null)
        {
            if (silent && _members.Count == 0 && _unreleased.Count == 0) Deactivate();
            return;
        }
        _sequence++;
        var tick = new ShardTick(Index, _epoch, _sequence, [.. _pending]);
        _pending.Clear();
        var gateway = _gateway;
        long instance = _gatewayInstance;
        // One way, to an observer of one process instance: lost if that instance is gone.
        Cluster.Network.Send(() => gateway.IsAlive(instance), () => gateway.Glue!.OnTick(tick));
    }

    /// <summary>Expired members' partitions hear it in a batch each: today again every tick until taken; before 5b99172 once, one way.</summary>
    private void ReleaseOwners()
    {
        if (_unreleased.Count == 0 || _releasing) return;
        var batch = _unreleased;
        _unreleased = [];
        var groups = batch.GroupBy(removal => ClientPartitions.Of(removal.Client)).OrderBy(group => group.Key).ToList();
        if (Legacy)
        {
            foreach (var group in groups)
            {
                var partition = Cluster.Partition(group.Key);
                ShardRemoval[] removals = [.. group];
                Cluster.Send(partition, () => partition.Release(GatewayId, Index, removals));
            }
            return;
        }
        _releasing = true;
        int incarnation = Incarnation;
        bool Alive() => Active && Incarnation == incarnation;
        int outstanding = groups.Count;
        foreach (var group in groups)
        {
            var partition = Cluster.Partition(group.Key);
            ShardRemoval[] removals = [.. group];
            void Done()
            {
                if (--outstanding == 0) _releasing = false;
            }
            Cluster.Call(partition, () => { partition.Release(GatewayId, Index, removals); return true; }, Alive,
                _ => Done(), () => { _unreleased.AddRange(removals); Done(); });
        }
    }
}

/// <summary>ClientPartitionGrain around the real <see cref="ClientOwners"/>: an epoch per activation; before 5b99172, the recovery window.</summary>
internal sealed class PartitionGlue(Cluster cluster, int index) : SimGrain(cluster, $"partition/{index}")
{
    private const int RecoveryMarginMs = 60_000;

    private ClientOwners _owners = new();
    private Guid _epoch;
    private List<(string GatewayId, ClientClaim Claim)> _unresolved = [];
    private long _recoveringSinceMs;
    private int _longestTtlMs;
    private bool _recovering;

    public int Index { get; } = index;

    protected override void OnActivate()
    {
        _owners = new ClientOwners();
        _epoch = Cluster.NewEpoch();
        _unresolved = [];
        _recoveringSinceMs = NowMs;
        _longestTtlMs = 0;
        _recovering = true;
        if (Cluster.Config.Protocol == Protocol.RecoveryWindow) Every(2_000, 2_000, () => { if (_unresolved.Count > 0) ResolveUnknownOwners(); });
    }

    public Guid Claim(string gatewayId, ClientClaim[] claims)
    {
        if (Cluster.Config.Protocol == Protocol.RecoveryWindow)
        {
            LegacyClaim(gatewayId, claims);
            return _epoch;
        }
        if (Cluster.Oracle.Verbose)
        {
            foreach (var claim in claims)
            {
                var owner = _owners.Find(claim.Client, NowMs);
                Cluster.Oracle.Debug(() => $"partition {Index}: claim {Cluster.Oracle.Name(claim.Client)} by {gatewayId}/{claim.ShardIndex} #{claim.ClaimId:x} age {claim.AgeMs}{(owner is null ? " (unknown)" : $" (was {owner.GatewayId}/{owner.ShardIndex} #{owner.ClaimId:x} age {owner.AgeMs})")}");
            }
        }
        foreach (var departure in _owners.ClaimAll(gatewayId, claims, NowMs))
        {
            var shard = Cluster.Shard(departure.GatewayId, departure.ShardIndex);
            ShardRemoval[] removals = [.. departure.Removals];
            Cluster.Send(shard, () => shard.Leave(removals));
        }
        return _epoch;
    }

    public Guid Watch() => _epoch;

    public void Release(string gatewayId, int shardIndex, ShardRemoval[] expired)
    {
        foreach (var removal in expired) _owners.Release(gatewayId, shardIndex, removal);
    }

    // ---- before 5b99172: the recovery window ----

    private bool Recovering
    {
        get
        {
            if (_recovering && _longestTtlMs > 0 && NowMs - _recoveringSinceMs > (long)_longestTtlMs + RecoveryMarginMs) _recovering = false;
            return _recovering;
        }
    }

    private void LegacyClaim(string gatewayId, ClientClaim[] claims)
    {
        long now = NowMs;
        var unknown = new List<ClientClaim>();
        var known = new HashSet<ClientEndpoint>();
        foreach (var claim in claims)
        {
            _longestTtlMs = Math.Max(_longestTtlMs, claim.TtlMs);
            bool wasKnown = _owners.Find(claim.Client, now) is not null;
            Cluster.Oracle.Debug(() => $"partition {Index}: claim {Cluster.Oracle.Name(claim.Client)} by {gatewayId}/{claim.ShardIndex} #{claim.ClaimId:x} age {claim.AgeMs}{(wasKnown ? "" : Recovering ? " (unknown, recovering)" : " (unknown, window over)")}");
            if (!wasKnown && Recovering) unknown.Add(claim);
        }
        foreach (var departure in _owners.ClaimAll(gatewayId, claims, now))
        {
            var shard = Cluster.Shard(departure.GatewayId, departure.ShardIndex);
            // The protocol modelled here told no heartbeat age with a move.
            ShardRemoval[] removals = [.. departure.Removals.Select(removal => removal with { TakenByHeartbeatAgeMs = 0 })];
            Cluster.Send(shard, () => shard.Leave(removals));
        }
        if (unknown.Count == 0) return;
        foreach (var claim in unknown) _unresolved.Add((gatewayId, claim));
        ResolveUnknownOwners();
    }

    /// <summary>Every other gateway's shard is asked to let go of the client (claim long.MaxValue), after a call to the directory.</summary>
    private void ResolveUnknownOwners()
    {
        int incarnation = Incarnation;
        Cluster.Network.Send(() => Incarnation == incarnation && Active, () =>
        {
            if (_unresolved.Count == 0) return;
            long now = NowMs;
            var pending = _unresolved.Where(item => _owners.Find(item.Claim.Client, now) is { } owner
                && owner.GatewayId == item.GatewayId && owner.ClaimId == item.Claim.ClaimId).ToList();
            _unresolved = [];
            foreach (string gateway in Cluster.GatewayIds)
            {
                var others = pending.Where(item => item.GatewayId != gateway).Select(item => item.Claim.Client);
                foreach (var group in others.GroupBy(client => client.ShardOf(Cluster.Config.ShardsPerGateway)).OrderBy(group => group.Key))
                {
                    var shard = Cluster.Shard(gateway, group.Key);
                    ShardRemoval[] removals = [.. group.Select(client => new ShardRemoval(client, long.MaxValue, RemovalReason.Moved))];
                    Cluster.Send(shard, () => shard.Leave(removals));
                }
            }
        });
    }
}

/// <summary>
/// ShardSynchronizer, PartitionWatcher and RegistrationFlusher around the real <see cref="PingMirror"/>,
/// <see cref="ShardLink"/> and <see cref="PartitionEpochs"/>: per shard an attach loop (shard 0
/// first: the fence and the claim epoch) and a resynchronisation loop with backoff; claims every
/// 50 ms from synced shards, refreshes every second; every 2 s (once accepted and synced) each
/// partition's epoch, and its clients claimed again under a new one.
/// </summary>
internal sealed class GatewayGlue
{
    private const long ClaimIntervalMs = 50;
    private const long RefreshIntervalMs = TixTrigger.Protocol.ClusterTiming.RefreshBatchIntervalMs;
    private static readonly long AnnounceIntervalMs = (long)TixTrigger.Protocol.ClusterTiming.AnnounceInterval.TotalMilliseconds;
    private const long UngrantedRetryMs = 200;
    private const long MaxFlushBackoffMs = 2_000;
    private const long FirstResyncBackoffMs = 500;
    private const long MaxResyncBackoffMs = 10_000;

    private readonly GatewayHost _host;
    private readonly Cluster _cluster;
    private readonly long _instance;
    private readonly PingMirror _mirror;
    private readonly ShardLink[] _links;
    private readonly bool[] _resyncWanted;
    private readonly bool[] _resyncRunning;
    private readonly PartitionEpochs _epochs = new();
    private readonly bool[] _watching = new bool[ClientPartitions.Count];
    private readonly bool _legacy;
    private GatewayProcess _process;
    private bool _granted;
    private long _firstRefusalMs = -1;
    private bool _flushing;
    private long _nextRefreshMs;
    private long _backoffMs;
    private long _notBeforeMs;

    public GatewayGlue(GatewayHost host, Cluster cluster)
    {
        _host = host;
        _cluster = cluster;
        _instance = host.Instance;
        _mirror = host.Mirror!;
        _links = [.. _mirror.Shards.Select(shard => new ShardLink(shard))];
        _resyncWanted = new bool[_links.Length];
        _resyncRunning = new bool[_links.Length];
        _legacy = cluster.Config.Protocol == Protocol.RecoveryWindow;
        if (_legacy) cluster.Oracle.Accepted(host.Host);
        _process = new GatewayProcess(new Guid((int)host.Instance, 0, 0, new byte[8]), $"host{host.Host}", 0, (int)_mirror.Context.RefreshLagMs);
        // Before 049ca27 claim ids began at the wall clock's ticks (a clock step back reuses them).
        if (_legacy) _mirror.Context.ClaimIds.Observe((1_700_000_000_000 + host.WallNowMs) * 10_000);
    }

    private long NowMs => _host.NowMs;

    private bool Alive() => _host.IsAlive(_instance);

    private bool Accepted => _legacy || _granted;

    private bool AllSynced => _links.All(link => link.Synced);

    public void Start()
    {
        var random = _cluster.Random;
        for (int index = 0; index < _links.Length; index++)
        {
            int shard = index;
            if (_legacy || shard == 0) _cluster.Scheduler.After(random.Next(1, 50), () => AttachLoop(shard));
        }
        Every(ClaimIntervalMs, Flush);
        if (!_legacy) Every(AnnounceIntervalMs, WatchPartitions);
    }

    private void Every(long periodMs, Action tick)
    {
        void Run()
        {
            if (!Alive()) return;
            tick();
            _cluster.Scheduler.After(periodMs, Run);
        }
        _cluster.Scheduler.After(periodMs, Run);
    }

    private void Call<T>(SimGrain grain, Func<T> handle, Action<T> answered, Action failed) =>
        _cluster.Call(grain, handle, Alive, answered, failed);

    private ShardGlue Shard(int index) => _cluster.Shard(_host.GatewayId, index);

    // ---- ShardSynchronizer ----

    /// <summary>One attach, then the next after the interval (200 ms for shard 0 until the grant).</summary>
    private void AttachLoop(int index)
    {
        if (!Alive()) return;
        var shard = Shard(index);
        var process = _process;
        Call(shard, () => shard.Attach(_host, _instance, process), reply =>
        {
            if (reply.RefusedFor is not null)
            {
                Refused();
                return;
            }
            if (index == 0 && !_granted && !_legacy)
            {
                _mirror.StartEpoch(reply.ClaimEpoch);
                _process = _process with { ClaimEpoch = reply.ClaimEpoch };
                _granted = true;
                _cluster.Oracle.Accepted(_host.Host);
                _cluster.Oracle.Debug(() => $"host {_host.Host}: holds {_host.GatewayId}, claim epoch {reply.ClaimEpoch}");
                for (int other = 1; other < _links.Length; other++)
                {
                    int next = other;
                    _cluster.Scheduler.After(0, () => AttachLoop(next));
                }
            }
            if (_links[index].NeedsResync(reply.Status)) WantResync(index);
        }, () => { });
        _cluster.Scheduler.After(_granted || _legacy ? AnnounceIntervalMs : UngrantedRetryMs, () => AttachLoop(index));
    }

    /// <summary>Before the grant the holder may be a crashed process: asked again until its lease has passed; then, or at once after the grant, this process stops.</summary>
    private void Refused()
    {
        long now = NowMs;
        if (_firstRefusalMs < 0) _firstRefusalMs = now;
        if (!_granted && now - _firstRefusalMs < TixTrigger.Protocol.ClusterTiming.GatewayLeaseMs + 2 * AnnounceIntervalMs) return;
        _host.Crash(refused: true);
    }

    public void OnTick(ShardTick tick)
    {
        if (tick.Removals.Length > 0) _cluster.Oracle.Debug(() => $"host {_host.Host}: tick {tick.ShardIndex}#{tick.Sequence} with removals {_cluster.Oracle.Names(tick.Removals.Select(r => r.Client))} ({string.Join(",", tick.Removals.Select(r => r.Reason))})");
        if (_links[tick.ShardIndex].OnTick(tick, NowMs)) WantResync(tick.ShardIndex);
    }

    private void WantResync(int index)
    {
        _resyncWanted[index] = true;
        if (!_resyncRunning[index]) ResyncLoop(index, backoffMs: 0);
    }

    /// <summary>The resynchronisation loop: a pass when wanted; after a failure, another after a growing pause.</summary>
    private void ResyncLoop(int index, long backoffMs)
    {
        _resyncRunning[index] = true;
        _resyncWanted[index] = false;
        var link = _links[index];
        if (!link.TryBegin())
        {
            _resyncRunning[index] = false;
            return;
        }
        bool wasSynced = AllSynced;
        ResyncPass(index, link, succeeded: () =>
        {
            _resyncRunning[index] = false;
            // The clients resumed from the snapshots are claimed at once, not at the next round (F6; the product's since d6e190a).
            if (!_legacy && !wasSynced && AllSynced) WatchPartitions();
            if (_resyncWanted[index]) ResyncLoop(index, 0);
        }, failed: () =>
        {
            link.Abort();
            long next = Math.Clamp(backoffMs * 2, FirstResyncBackoffMs, MaxResyncBackoffMs);
            _cluster.Scheduler.After(next, () =>
            {
                if (Alive()) ResyncLoop(index, next);
            });
        });
    }

    private void ResyncPass(int index, ShardLink link, Action succeeded, Action failed)
    {
        var shard = Shard(index);
        void Completed(bool done)
        {
            if (done) succeeded();
            else ResyncPass(index, link, succeeded, failed);
        }
        Call(shard, shard.GetSnapshot, snapshot =>
        {
            if (link.LostState(snapshot))
            {
                // As the product since 574af87 (found here as F1): the new activation's moves reach the
                // mirror before the refill, and the ticks after its snapshot still apply.
                long sentAt = NowMs;
                link.Shard.ApplyRemovals(snapshot.Departed, sentAt);
                var members = Simulation.Sorted(link.Shard.MembersForRefill(sentAt));
                _cluster.Oracle.Debug(() => $"host {_host.Host}: refills shard {index} with {_cluster.Oracle.Names(members.Select(m => m.Client))}");
                Call(shard, () => shard.Refill(members), _ =>
                {
                    link.Shard.CompleteRefill(members, sentAt);
                    // The lost activation may have taken moves it never told (found here as F5; the product's since d6e190a).
                    if (!_legacy) ClaimAgain(members.Select(member => ClientPartitions.Of(member.Client)));
                    Completed(link.Complete(snapshot.Epoch, snapshot.Sequence, () => NowMs));
                }, failed);
                return;
            }
            long now = NowMs;
            _cluster.Oracle.Debug(() => $"host {_host.Host}: snapshot of shard {index} ({snapshot.Epoch.ToString()[..8]}#{snapshot.Sequence}): members {_cluster.Oracle.Names(snapshot.Members.Select(m => m.Client))}, departed {_cluster.Oracle.Names(snapshot.Departed.Select(m => m.Client))}");
            link.Shard.Merge(snapshot, now, _ => { });
            _cluster.Oracle.Resumed(_host.Host, _instance, snapshot.Members, now);
            Completed(link.Complete(snapshot.Epoch, snapshot.Sequence, () => NowMs));
        }, failed);
    }

    // ---- PartitionWatcher ----

    private void WatchPartitions()
    {
        if (!Accepted || !AllSynced || _mirror.Context.Occupancy.IsEmpty) return;
        foreach (int index in _cluster.ClientPartitionsInUse) Watch(index);
    }

    /// <summary>Forgets that these partitions' clients were claimed under their epochs, and watches them now.</summary>
    private void ClaimAgain(IEnumerable<int> partitions)
    {
        foreach (int index in partitions.Distinct().Order())
        {
            _epochs.Claimed(index, Guid.Empty);
            if (AllSynced && !_mirror.Context.Occupancy.IsEmpty) Watch(index);
        }
    }

    /// <summary>A claim's answer under another epoch wakes the watcher at once.</summary>
    private void Observe(int index, Guid epoch)
    {
        if (_legacy || !_epochs.NeedsClaims(index, epoch) || !AllSynced || _mirror.Context.Occupancy.IsEmpty) return;
        foreach (int partition in _cluster.ClientPartitionsInUse) Watch(partition);
    }

    private void Watch(int index)
    {
        if (_watching[index]) return;
        _watching[index] = true;
        var partition = _cluster.Partition(index);
        void Done() => _watching[index] = false;
        Call(partition, partition.Watch, epoch =>
        {
            if (!_epochs.NeedsClaims(index, epoch))
            {
                Done();
                return;
            }
            int ttlMs = _cluster.Config.ExpirySeconds * 1000;
            var claims = Simulation.Sorted(_mirror.OwnedIn(index, NowMs))
                .Select(claim => new ClientClaim(claim.Member.Client, claim.Shard, claim.Member.ClaimId, ttlMs, claim.HeartbeatAgeMs)).ToArray();
            Call(partition, () => partition.Claim(_host.GatewayId, claims), answer =>
            {
                if (answer == epoch) _epochs.Claimed(index, epoch);
                Done();
            }, Done);
        }, Done);
    }

    // ---- RegistrationFlusher ----

    private void Flush()
    {
        long now = NowMs;
        if (_flushing || now < _notBeforeMs || !Accepted) return;
        var drained = _mirror.DrainClaims(now, index => _legacy || _links[index].Synced);
        if (drained.Count == 0 && now < _nextRefreshMs) return;
        _flushing = true;
        var claims = Simulation.Sorted(drained);
        if (claims.Length == 0)
        {
            FlushRefreshes(now, ok: true);
            return;
        }
        int ttlMs = _cluster.Config.ExpirySeconds * 1000;
        var byPartition = claims.GroupBy(claim => ClientPartitions.Of(claim.Member.Client)).OrderBy(group => group.Key).ToList();
        var byShard = claims.GroupBy(claim => claim.Shard).OrderBy(group => group.Key).ToList();
        var partitionOk = new Dictionary<int, bool>();
        var shardOk = new Dictionary<int, bool>();
        int outstanding = byPartition.Count + byShard.Count;
        void Done()
        {
            if (--outstanding > 0) return;
            var results = claims.Select(claim => (claim, partitionOk[ClientPartitions.Of(claim.Member.Client)] && shardOk[claim.Shard]));
            foreach (var group in results.GroupBy(result => result.claim.Shard)) _mirror.Shards[group.Key].CompleteClaims(group);
            FlushRefreshes(NowMs, partitionOk.Values.All(ok => ok) && shardOk.Values.All(ok => ok));
        }
        foreach (var group in byPartition)
        {
            var partition = _cluster.Partition(group.Key);
            ClientClaim[] batch = [.. group.Select(claim => new ClientClaim(claim.Member.Client, claim.Shard, claim.Member.ClaimId, ttlMs, claim.HeartbeatAgeMs))];
            Call(partition, () => partition.Claim(_host.GatewayId, batch), epoch =>
            {
                partitionOk[group.Key] = true;
                Observe(group.Key, epoch);
                Done();
            }, () => { partitionOk[group.Key] = false; Done(); });
        }
        foreach (var group in byShard)
        {
            var shard = Shard(group.Key);
            ShardMember[] batch = [.. group.Select(claim => claim.Member)];
            Call(shard, () => { shard.Join(batch); return true; }, _ => { shardOk[group.Key] = true; Done(); }, () => { shardOk[group.Key] = false; Done(); });
        }
    }

    private void FlushRefreshes(long now, bool ok)
    {
        if (!ok || now < _nextRefreshMs)
        {
            Flushed(ok);
            return;
        }
        _nextRefreshMs = now + RefreshIntervalMs;
        var refreshes = Simulation.Sorted(_mirror.DrainRefreshes(now));
        if (refreshes.Length == 0)
        {
            Flushed(true);
            return;
        }
        var byShard = refreshes.GroupBy(refresh => refresh.Shard).OrderBy(group => group.Key).ToList();
        int outstanding = byShard.Count;
        bool allOk = true;
        foreach (var group in byShard)
        {
            var shard = Shard(group.Key);
            ShardMember[] batch = [.. group.Select(refresh => refresh.Member)];
            void Complete(bool taken)
            {
                _mirror.Shards[group.Key].CompleteRefreshes(group.Select(refresh => (refresh, taken)));
                allOk &= taken;
                if (--outstanding == 0) Flushed(allOk);
            }
            Call(shard, () => { shard.Refresh(batch); return true; }, _ => Complete(true), () => Complete(false));
        }
    }

    private void Flushed(bool ok)
    {
        _flushing = false;
        if (ok)
        {
            _backoffMs = 0;
            return;
        }
        _backoffMs = Math.Clamp(_backoffMs * 2, 500, MaxFlushBackoffMs);
        _notBeforeMs = NowMs + _backoffMs;
    }
}
