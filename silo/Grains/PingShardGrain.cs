using Microsoft.Extensions.Logging;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Silo.Placement;
using TixTrigger.Silo.Telemetry;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// Members of one gateway shard and their deadlines. Its 1 s timer expires members and sends
/// the gateway only what changed; the gateway paces the pings itself from its mirror.
/// Shards spread evenly over the silos by rendezvous hashing, and follow it when silos join or
/// leave: a shard whose home is now another silo migrates there with its state, usually
/// unnoticed by its gateway; if it comes up empty instead, its gateway refills it (the default
/// placement packs new grains onto one silo, and never moves them).
/// </summary>
[ShardPlacement]
public sealed class PingShardGrain(ILogger<PingShardGrain> logger, IClusterMembershipService membership, ILocalSiloDetails localSilo)
    : Grain, IPingShardGrain, IGrainMigrationParticipant
{
    /// <summary>How often (in ticks) a shard checks that it lives on its home silo.</summary>
    private const int HomeCheckTicks = 10;

    /// <summary>A gateway silent this long is gone: stop ticking it, and deactivate once empty.</summary>
    private static readonly long GatewaySilenceLimitMs = (long)TimeSpan.FromSeconds(15).TotalMilliseconds;

    private readonly Dictionary<ClientEndpoint, ShardMember> _members = [];
    private readonly Dictionary<ClientEndpoint, ShardMember> _pendingUpserts = [];
    private readonly Dictionary<ClientEndpoint, ShardMember> _pendingRemovals = [];

    // One entry per member (tracked in _queued): an entry that comes due for a refreshed member
    // is re-queued at its current deadline, so expiry costs O(expiries) per tick, not O(members).
    private readonly PriorityQueue<ClientEndpoint, long> _expiries = new();
    private readonly HashSet<ClientEndpoint> _queued = [];

    private Guid _epoch = Guid.NewGuid();
    private long _sequence;
    private long _ticks;
    private IGatewayObserver? _gateway;
    private long _lastAttachMs;
    private int _index;
    private ShardCounters? _metrics;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _index = ShardKey.Parse(this.GetPrimaryKeyString()).Index;
        _metrics = ShardMetrics.Track(ServiceProvider, this.GetPrimaryKeyString(), () => _members.Count);
        this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        logger.LogDebug("Shard {Shard} activated with epoch {Epoch}", this.GetPrimaryKeyString(), _epoch);
        return Task.CompletedTask;
    }

    public Task<ShardMember> Join(ShardMember member)
    {
        if (_members.TryGetValue(member.Client, out var existing) && existing.DeadlineUnixMs > member.DeadlineUnixMs)
        {
            member = member with { DeadlineUnixMs = existing.DeadlineUnixMs };
        }
        _members[member.Client] = member;
        _pendingUpserts[member.Client] = member;
        _pendingRemovals.Remove(member.Client);
        Enqueue(member);
        return Task.FromResult(member);
    }

    public Task Leave(ClientEndpoint client, long deadlineUnixMs)
    {
        // A later deadline means the client came back here after the move this Leave is about.
        if (_members.TryGetValue(client, out var member) && member.DeadlineUnixMs <= deadlineUnixMs)
        {
            _members.Remove(client);
            _pendingUpserts.Remove(client);
            _pendingRemovals[client] = member;
        }
        return Task.CompletedTask;
    }

    public Task<ShardStatus> Attach(IGatewayObserver gateway)
    {
        _gateway = gateway;
        _lastAttachMs = UnixTime.NowMs();
        return Task.FromResult(new ShardStatus(_epoch, _sequence, _members.Count));
    }

    public Task<ShardSnapshot> GetSnapshot()
    {
        _metrics?.CountSnapshot();
        return Task.FromResult(Snapshot());
    }

    public Task<ShardSnapshot> Refill(ShardMember[] members)
    {
        _metrics?.CountRefill();
        long now = UnixTime.NowMs();
        foreach (var member in members)
        {
            if (member.DeadlineUnixMs <= now) continue;
            if (_members.TryGetValue(member.Client, out var existing) && existing.DeadlineUnixMs >= member.DeadlineUnixMs) continue;
            _members[member.Client] = member;
            Enqueue(member);
        }
        logger.LogInformation("Shard {Shard} refilled with {Count} members from its gateway", this.GetPrimaryKeyString(), members.Length);
        return Task.FromResult(Snapshot());
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _metrics?.Dispose();
        return Task.CompletedTask;
    }

    private ShardSnapshot Snapshot() => new(_epoch, _sequence, [.. _members.Values]);

    private void Enqueue(ShardMember member)
    {
        if (_queued.Add(member.Client))
        {
            _expiries.Enqueue(member.Client, member.DeadlineUnixMs);
        }
    }

    private Task Tick()
    {
        long now = UnixTime.NowMs();
        ExpireDue(now);
        if (++_ticks % HomeCheckTicks == _index % HomeCheckTicks) MoveHomeIfAway();

        if (_gateway is not null && now - _lastAttachMs > GatewaySilenceLimitMs)
        {
            logger.LogInformation("Shard {Shard}: its gateway has not announced itself for {Seconds} s; no more ticks until it does",
                this.GetPrimaryKeyString(), (now - _lastAttachMs) / 1000);
            _gateway = null;
        }
        if (_gateway is null)
        {
            // Nobody pings these members; once they have expired there is nothing left to keep.
            if (_members.Count == 0) DeactivateOnIdle();
            return Task.CompletedTask;
        }

        _sequence++;
        _metrics?.CountTick();
        var tick = new ShardTick(_index, _epoch, _sequence, [.. _pendingUpserts.Values], [.. _pendingRemovals.Values]);
        _pendingUpserts.Clear();
        _pendingRemovals.Clear();
        try
        {
            // One way: returns at once, even if the gateway is dead.
            _gateway.OnTick(tick).Ignore();
        }
        catch (Exception error)
        {
            logger.LogDebug(error, "Shard {Shard}: tick {Sequence} could not be sent", this.GetPrimaryKeyString(), _sequence);
        }
        return Task.CompletedTask;
    }

    private void MoveHomeIfAway()
    {
        var active = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress);
        var home = ShardHome.Of(this.GetGrainId(), active);
        if (home is null || home.Equals(localSilo.SiloAddress)) return;
        logger.LogInformation("Shard {Shard} moves to its home silo {Silo}", this.GetPrimaryKeyString(), home);
        MigrateOnIdle();
    }

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext context) =>
        context.TryAddValue("shard", new PingShardState(
            _epoch, _sequence, _gateway, _lastAttachMs,
            [.. _members.Values], [.. _pendingUpserts.Values], [.. _pendingRemovals.Values]));

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext context)
    {
        if (!context.TryGetValue("shard", out PingShardState? state) || state is null) return;
        // Same epoch and sequence: to the gateway, the shard never moved.
        _epoch = state.Epoch;
        _sequence = state.Sequence;
        _gateway = state.Gateway;
        _lastAttachMs = state.LastAttachMs;
        foreach (var member in state.Members)
        {
            _members[member.Client] = member;
            Enqueue(member);
        }
        foreach (var member in state.PendingUpserts) _pendingUpserts[member.Client] = member;
        foreach (var member in state.PendingRemovals) _pendingRemovals[member.Client] = member;
    }

    private void ExpireDue(long now)
    {
        while (_expiries.TryPeek(out var client, out long due) && due <= now)
        {
            _expiries.Dequeue();
            _queued.Remove(client);
            if (!_members.TryGetValue(client, out var member)) continue;
            if (member.DeadlineUnixMs <= now)
            {
                _members.Remove(client);
                _pendingUpserts.Remove(client);
                _pendingRemovals[client] = member;
            }
            else
            {
                Enqueue(member);
            }
        }
    }
}
