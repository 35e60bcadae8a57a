using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Silo.Grains;

namespace TixTrigger.Tests.Simulation;

// The glue around the product's pure classes, modelled on what the grains and the gateway's cluster
// classes do today (PingShardGrain, ClientPartitionGrain, ShardSynchronizer, RegistrationFlusher),
// and, for Protocol.Epochs, on /work/notes/protocol.md. One file, so that each class can be swapped
// for the product's own Orleans-free class as those land on main (see /work/notes/lead-sim.md).
// Everything a dictionary hands out is sorted before it becomes messages (see Simulation.Sorted):
// the product's dictionaries of endpoints use a per-process hash key.

/// <summary>PingShardGrain around the real <see cref="ShardMembers"/>.</summary>
internal sealed class ShardGlue(Cluster cluster, string gatewayId, int index) : SimGrain(cluster, $"{gatewayId}/{index}")
{
    private const long GatewaySilenceLimitMs = 15_000;
    private const long ExpiryMarginMs = 5_000;
    private const long LeaseMs = 6_000;

    private ShardMembers _members = new();
    private List<ShardRemoval> _pending = [];
    private Guid _epoch;
    private long _sequence;
    private long _ticks;
    private GatewayProcess? _gateway;
    private long _gatewayInstance;
    private long _lastAttachMs;
    private int _refreshLagMs = 30_000;

    // The fence (protocol.md item 2): shard 0 holds the instance it accepted and the epoch it granted;
    // the other shards, the highest grant they were shown.
    private long _holder;
    private int _holderHost;
    private long _grant;

    public string GatewayId { get; } = gatewayId;
    public int Index { get; } = index;

    protected override void OnActivate()
    {
        _members = new ShardMembers { GraceMs = 30_000 + ExpiryMarginMs };
        _pending = [];
        _epoch = Cluster.NewEpoch();
        _sequence = _ticks = 0;
        _gateway = null;
        _lastAttachMs = NowMs;
        _refreshLagMs = 30_000;
        _holder = _grant = 0;
        _holderHost = -1;
        Every(1_000, 1_000, Tick);
    }

    private ShardStatus Status => new(_epoch, _sequence);

    /// <summary>RecoveryWindow: the attach of today. Epochs: with the fence; refused attaches leave the observer as it was.</summary>
    public (ShardStatus Status, long Grant, bool Refused) Attach(GatewayProcess gateway, long instance, int refreshLagMs, long grant)
    {
        if (Cluster.Config.Protocol == Protocol.Epochs)
        {
            if (Index == 0)
            {
                bool accept = !Cluster.Config.Fence || _holder == 0 || _holder == instance || _holderHost == gateway.Host || NowMs - _lastAttachMs > LeaseMs;
                if (!accept) return (Status, 0, true);
                if (_holder != instance)
                {
                    long highest = _members.Members(NowMs).Select(member => member.ClaimId >> 32).DefaultIfEmpty(0).Max();
                    _grant = Math.Max(_grant + 1, highest + 1);
                    (_holder, _holderHost) = (instance, gateway.Host);
                }
                grant = _grant;
            }
            else if (Cluster.Config.Fence)
            {
                if (grant < _grant) return (Status, 0, true);
                _grant = grant;
            }
        }
        _gateway = gateway;
        _gatewayInstance = instance;
        _lastAttachMs = NowMs;
        _refreshLagMs = Math.Max(0, refreshLagMs);
        _members.GraceMs = _refreshLagMs + ExpiryMarginMs;
        return (Status, grant, false);
    }

    public void Join(ShardMember[] members) => _members.Add(members, NowMs);

    public void Refresh(ShardMember[] members) => _members.Refresh(members, NowMs);

    public void Leave(ShardRemoval[] departures)
    {
        var removed = Simulation.Sorted(_members.Depart(departures, NowMs));
        Cluster.Oracle.Debug(() => $"shard {Key}: Leave {Cluster.Oracle.Names(departures.Select(d => d.Client))} (claims {string.Join(",", departures.Select(d => d.ClaimId))}) removes {Cluster.Oracle.Names(removed.Select(r => r.Client))}");
        _pending.AddRange(removed);
    }

    public ShardSnapshot GetSnapshot() =>
        new(_epoch, _sequence, Simulation.Sorted(_members.Members(NowMs)), Simulation.Sorted(_members.Departed()));

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
            ReleaseOwners(expired);
        }
        if (++_ticks % 10 == Index % 10) _members.ForgetOldDepartures(now);

        bool silent = now - _lastAttachMs > GatewaySilenceLimitMs;
        if (_gateway is not null && silent) _gateway = null;
        if (_gateway is null)
        {
            if (silent && _members.Count == 0) Deactivate();
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

    private void ReleaseOwners(ShardRemoval[] expired)
    {
        foreach (var group in expired.GroupBy(removal => ClientPartitions.Of(removal.Client)).OrderBy(group => group.Key))
        {
            var partition = Cluster.Partition(group.Key);
            ShardRemoval[] batch = [.. group];
            if (Cluster.Config.Protocol == Protocol.RecoveryWindow) Cluster.Send(partition, () => partition.Release(GatewayId, Index, batch));
            else Release(partition, batch);
        }
    }

    /// <summary>protocol.md item 4: retried until taken (while this activation lives).</summary>
    private void Release(PartitionGlue partition, ShardRemoval[] batch)
    {
        int incarnation = Incarnation;
        bool Alive() => Active && Incarnation == incarnation;
        Cluster.Call(partition, () => { partition.Release(GatewayId, Index, batch); return true; }, Alive,
            _ => { }, () => Cluster.Scheduler.After(1_000, () => { if (Alive()) Release(partition, batch); }));
    }
}

/// <summary>ClientPartitionGrain around the real <see cref="ClientOwners"/>: today's recovery window, or protocol.md's epochs.</summary>
internal sealed class PartitionGlue(Cluster cluster, int index) : SimGrain(cluster, $"partition/{index}")
{
    private const int RecoveryMarginMs = 60_000;

    private ClientOwners _owners = new();
    private List<(string GatewayId, ClientClaim Claim)> _unresolved = [];
    private long _recoveringSinceMs;
    private int _longestTtlMs;
    private bool _recovering;
    private Guid _epoch;

    public int Index { get; } = index;

    protected override void OnActivate()
    {
        _owners = new ClientOwners();
        _unresolved = [];
        _recoveringSinceMs = NowMs;
        _longestTtlMs = 0;
        _recovering = true;
        _epoch = Cluster.NewEpoch();
        if (Cluster.Config.Protocol == Protocol.RecoveryWindow) Every(2_000, 2_000, () => { if (_unresolved.Count > 0) ResolveUnknownOwners(); });
    }

    private bool Recovering
    {
        get
        {
            if (_recovering && _longestTtlMs > 0 && NowMs - _recoveringSinceMs > (long)_longestTtlMs + RecoveryMarginMs) _recovering = false;
            return _recovering;
        }
    }

    /// <summary>Returns the activation's epoch (protocol.md item 1; ignored under RecoveryWindow).</summary>
    public Guid Claim(string gatewayId, ClientClaim[] claims)
    {
        long now = NowMs;
        var departures = new SortedDictionary<(string GatewayId, int ShardIndex), List<ShardRemoval>>();
        void Depart(string gateway, int shard, ClientEndpoint client, long claimId)
        {
            if (!departures.TryGetValue((gateway, shard), out var list)) departures[(gateway, shard)] = list = [];
            list.Add(new ShardRemoval(client, claimId, RemovalReason.Moved));
        }
        bool recoveryWindow = Cluster.Config.Protocol == Protocol.RecoveryWindow;
        List<ClientClaim>? unknown = null;
        foreach (var claim in claims)
        {
            _longestTtlMs = Math.Max(_longestTtlMs, claim.TtlMs);
            var outcome = _owners.Claim(gatewayId, claim, now, out var previous, out bool wasKnown);
            Cluster.Oracle.Debug(() => $"partition {Index}: claim {Cluster.Oracle.Name(claim.Client)} by {gatewayId}/{claim.ShardIndex} #{claim.ClaimId:x} age {claim.AgeMs}: {outcome}{(wasKnown ? $" (was {previous.GatewayId}/{previous.ShardIndex} #{previous.ClaimId:x})" : " (unknown)")}");
            switch (outcome)
            {
                case ClaimOutcome.Moved:
                    Depart(previous.GatewayId, previous.ShardIndex, claim.Client, previous.ClaimId);
                    break;
                case ClaimOutcome.Stale:
                    Depart(gatewayId, claim.ShardIndex, claim.Client, claim.ClaimId);
                    break;
                case ClaimOutcome.Recorded when recoveryWindow && !wasKnown && Recovering:
                    (unknown ??= []).Add(claim);
                    break;
            }
        }
        foreach (var ((gateway, shardIndex), removals) in departures)
        {
            var shard = Cluster.Shard(gateway, shardIndex);
            ShardRemoval[] batch = [.. removals];
            Cluster.Send(shard, () => shard.Leave(batch));
        }
        if (unknown is not null)
        {
            foreach (var claim in unknown) _unresolved.Add((gatewayId, claim));
            ResolveUnknownOwners();
        }
        return _epoch;
    }

    public Guid Watch() => _epoch;

    public void Release(string gatewayId, int shardIndex, ShardRemoval[] expired)
    {
        foreach (var removal in expired) _owners.Release(gatewayId, shardIndex, removal);
    }

    /// <summary>Today's recovery window: every other gateway's shard is asked to let go of the client (claim long.MaxValue), after a call to the directory.</summary>
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
/// ShardSynchronizer and RegistrationFlusher around the real <see cref="PingMirror"/>: announcements
/// and resynchronisation per shard, claims every 50 ms, refreshes every second; under
/// Protocol.Epochs also the fence's grant, partition epochs (Watch, re-claims) and claims held until
/// their shard is synced.
/// </summary>
internal sealed class GatewayGlue
{
    private sealed class ShardState
    {
        public Guid Epoch;
        public long Sequence;
        public bool Synced;
        public bool Resyncing;
        public readonly List<ShardTick> Buffered = [];
    }

    private const long ClaimIntervalMs = 50;
    private const long RefreshIntervalMs = 1_000;
    private const long AnnounceIntervalMs = 2_000;
    private const long MaxBackoffMs = 2_000;

    private readonly GatewayProcess _process;
    private readonly Cluster _cluster;
    private readonly long _instance;
    private readonly PingMirror _mirror;
    private readonly ShardState[] _states;
    private readonly bool _epochs;
    private bool _flushing;
    private long _nextRefreshMs;
    private long _backoffMs;
    private long _notBeforeMs;
    private long _grant;
    private readonly Dictionary<int, Guid> _claimedFor = [];
    private readonly HashSet<int> _reclaiming = [];

    public GatewayGlue(GatewayProcess process, Cluster cluster)
    {
        _process = process;
        _cluster = cluster;
        _instance = process.Instance;
        _mirror = process.Mirror!;
        _states = [.. Enumerable.Range(0, cluster.Config.ShardsPerGateway).Select(_ => new ShardState())];
        _epochs = cluster.Config.Protocol == Protocol.Epochs;
        // Before issue 15 claim ids began at the wall clock's ticks (a clock step back reuses them).
        if (!_epochs) _mirror.Settings.Observe(process.WallNowMs * 10_000);
    }

    private long NowMs => _process.NowMs;

    private bool Alive() => _process.IsAlive(_instance);

    public bool Synced(int shard) => _states[shard].Synced;

    public void Start()
    {
        Every(_cluster.Random.Next(1, 50), AnnounceIntervalMs, Announce);
        Every(ClaimIntervalMs, ClaimIntervalMs, Flush);
    }

    private void Every(long firstMs, long periodMs, Action tick)
    {
        void Run()
        {
            if (!Alive()) return;
            tick();
            _cluster.Scheduler.After(periodMs, Run);
        }
        _cluster.Scheduler.After(firstMs, Run);
    }

    private void Call<T>(SimGrain grain, Func<T> handle, Action<T> answered, Action failed) =>
        _cluster.Call(grain, handle, Alive, answered, failed);

    private ShardGlue Shard(int index) => _cluster.Shard(_process.GatewayId, index);

    // ---- ShardSynchronizer ----

    private void Announce()
    {
        if (_epochs)
        {
            // Shard 0 first: it fences the GATEWAY_ID and grants the epoch of this process's claim ids.
            var first = Shard(0);
            Call(first, () => first.Attach(_process, _instance, (int)_mirror.Settings.RefreshLagMs, 0), answer =>
            {
                if (answer.Refused)
                {
                    _process.Crash(refused: true);
                    return;
                }
                if (_grant == 0)
                {
                    _grant = answer.Grant;
                    _mirror.Settings.StartEpoch(_grant);
                }
                Attached(0, answer.Status);
                for (int index = 1; index < _states.Length; index++) AnnounceTo(index);
            }, () => { });
            WatchPartitions();
            return;
        }
        for (int index = 0; index < _states.Length; index++) AnnounceTo(index);
    }

    private void AnnounceTo(int index)
    {
        var shard = Shard(index);
        Call(shard, () => shard.Attach(_process, _instance, (int)_mirror.Settings.RefreshLagMs, _grant), answer =>
        {
            if (answer.Refused) _process.Crash(refused: true);
            else Attached(index, answer.Status);
        }, () => { });
    }

    private void Attached(int index, ShardStatus status)
    {
        var state = _states[index];
        bool resync = !state.Resyncing && (!state.Synced || status.Epoch != state.Epoch || status.Sequence > state.Sequence + 3);
        if (resync) Resync(index);
    }

    public void OnTick(ShardTick tick)
    {
        var state = _states[tick.ShardIndex];
        if (state.Resyncing)
        {
            state.Buffered.Add(tick);
        }
        else if (!state.Synced || tick.Epoch != state.Epoch || tick.Sequence > state.Sequence + 1)
        {
            state.Buffered.Add(tick);
            Resync(tick.ShardIndex);
        }
        else if (tick.Sequence == state.Sequence + 1)
        {
            if (tick.Removals.Length > 0) _cluster.Oracle.Debug(() => $"host {_process.Host}: tick {tick.ShardIndex}#{tick.Sequence} removes {_cluster.Oracle.Names(tick.Removals.Select(r => r.Client))} ({string.Join(",", tick.Removals.Select(r => r.Reason))})");
            _mirror.Shards[tick.ShardIndex].ApplyRemovals(tick.Removals, NowMs);
            state.Sequence = tick.Sequence;
        }
    }

    private void Resync(int index)
    {
        var state = _states[index];
        if (state.Resyncing) return;
        state.Resyncing = true;
        ResyncOnce(index, state);
    }

    private void ResyncOnce(int index, ShardState state)
    {
        var shard = Shard(index);
        var mirrorShard = _mirror.Shards[index];
        void Failed() => state.Resyncing = false;
        Call(shard, shard.GetSnapshot, snapshot =>
        {
            if (state.Synced && snapshot.Epoch != state.Epoch)
            {
                long sentAt = NowMs;
                var members = Simulation.Sorted(mirrorShard.MembersForRefill(sentAt));
                _cluster.Oracle.Debug(() => $"host {_process.Host}: refills shard {index} with {_cluster.Oracle.Names(members.Select(m => m.Client))}");
                Call(shard, () => shard.Refill(members), status =>
                {
                    mirrorShard.CompleteRefill(members, sentAt);
                    Finish(index, state, status.Epoch, status.Sequence);
                }, Failed);
                return;
            }
            long now = NowMs;
            _cluster.Oracle.Debug(() => $"host {_process.Host}: snapshot of shard {index} ({snapshot.Epoch.ToString()[..8]}#{snapshot.Sequence}): members {_cluster.Oracle.Names(snapshot.Members.Select(m => m.Client))}, departed {_cluster.Oracle.Names(snapshot.Departed.Select(m => m.Client))}");
            mirrorShard.Merge(snapshot, now, _ => { });
            _cluster.Oracle.Resumed(_process.Host, _instance, snapshot.Members, now);
            Finish(index, state, snapshot.Epoch, snapshot.Sequence);
        }, Failed);
    }

    private void Finish(int index, ShardState state, Guid epoch, long sequence)
    {
        state.Epoch = epoch;
        state.Sequence = sequence;
        state.Synced = true;
        state.Buffered.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        foreach (var tick in state.Buffered)
        {
            if (tick.Epoch != state.Epoch || tick.Sequence > state.Sequence + 1)
            {
                state.Buffered.Clear();
                ResyncOnce(index, state);
                return;
            }
            if (tick.Sequence <= state.Sequence) continue;
            _mirror.Shards[index].ApplyRemovals(tick.Removals, NowMs);
            state.Sequence = tick.Sequence;
        }
        state.Buffered.Clear();
        state.Resyncing = false;
    }

    // ---- partition epochs (protocol.md item 1) ----

    private void WatchPartitions()
    {
        foreach (int index in _cluster.ClientPartitionsInUse)
        {
            var partition = _cluster.Partition(index);
            Call(partition, partition.Watch, epoch => PartitionEpoch(index, epoch), () => { });
        }
    }

    private void PartitionEpoch(int index, Guid epoch)
    {
        if (_claimedFor.TryGetValue(index, out var done) && done == epoch) return;
        // Not before every shard is synced: a restarted process learns its members from the snapshots,
        // and an epoch marked done before they arrived would never have them claimed (seeds 19, 23).
        if (_states.Any(state => !state.Synced)) return;
        if (!_reclaiming.Add(index)) return;
        Reclaim(index, epoch);
    }

    /// <summary>Claims every live member of one partition again, under its current claim and heartbeat age, until the same epoch answers.</summary>
    private void Reclaim(int index, Guid epoch)
    {
        long now = NowMs;
        int ttlMs = _cluster.Config.ExpirySeconds * 1000;
        var claims = new List<ClientClaim>();
        foreach (var shard in _mirror.Shards)
        {
            foreach (var member in Simulation.Sorted(shard.MembersForRefill(now)))
            {
                if (ClientPartitions.Of(member.Client) != index) continue;
                claims.Add(new ClientClaim(member.Client, shard.Index, member.ClaimId, ttlMs, ttlMs - member.TtlMs));
            }
        }
        var partition = _cluster.Partition(index);
        Call(partition, () => partition.Claim(_process.GatewayId, [.. claims]), answer =>
        {
            if (answer == epoch)
            {
                _claimedFor[index] = epoch;
                _reclaiming.Remove(index);
            }
            else
            {
                Reclaim(index, answer);
            }
        }, () => _reclaiming.Remove(index));
    }

    // ---- RegistrationFlusher ----

    private void Flush()
    {
        long now = NowMs;
        if (_flushing || now < _notBeforeMs) return;
        _flushing = true;
        var claims = Simulation.Sorted(_mirror.DrainClaims(now));
        if (_epochs)
        {
            // protocol.md item 3: a shard's claims leave once this process has synced it (and has its epoch).
            var held = claims.Where(claim => _grant == 0 || !_states[claim.Shard].Synced).ToList();
            foreach (var group in held.GroupBy(claim => claim.Shard)) _mirror.Shards[group.Key].CompleteClaims(group.Select(claim => (claim, false)));
            claims = [.. claims.Where(claim => _grant != 0 && _states[claim.Shard].Synced)];
        }
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
            Call(partition, () => partition.Claim(_process.GatewayId, batch), epoch =>
            {
                partitionOk[group.Key] = true;
                if (_epochs) PartitionEpoch(group.Key, epoch);
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
        _backoffMs = Math.Clamp(_backoffMs * 2, 500, MaxBackoffMs);
        _notBeforeMs = NowMs + _backoffMs;
    }
}
