using Microsoft.Extensions.Logging;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Silo.Placement;
using TixTrigger.Silo.Telemetry;
using TixTrigger.Tasks;
using TixTrigger.Time;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// One shard of one gateway's clients (see <see cref="IPingShardGrain"/>). Its 1 s timer expires
/// members whose gateway stopped refreshing them, and sends the gateway what it removed; the
/// gateway paces the pings itself from its own table. Shards spread over the silos by rendezvous
/// hashing, follow it when silos join or leave, and hand themselves on when their silo stops
/// (<see cref="HomeKeeper"/>), carrying their state: a gateway needs to refill one only after a crash.
/// </summary>
[RendezvousPlacement]
public sealed class PingShardGrain(ILogger<PingShardGrain> logger, HomeKeeper home)
    : Grain, IPingShardGrain, IGrainMigrationParticipant
{
    /// <summary>A gateway silent this long is gone: stop ticking it, and deactivate once empty.</summary>
    private const long GatewaySilenceLimitMs = 15_000;

    /// <summary>On top of the gateway's refresh lag: time for a refresh batch to arrive.</summary>
    private const long ExpiryMarginMs = 5_000;

    private readonly ShardMembers _members = new();
    private List<ShardRemoval> _pendingRemovals = [];
    private Guid _epoch = Guid.NewGuid();
    private long _sequence;
    private long _ticks;
    private IGatewayObserver? _gateway;
    // From activation: a new shard gives its gateway as long to announce itself as one that went quiet.
    private long _lastAttachMs = Monotonic.NowMs();
    private int _refreshLagMs = 30_000;
    private string _gatewayId = "";
    private int _index;
    private ShardCounters? _metrics;

    private string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_gatewayId, _index) = ShardKey.Parse(Key);
        _metrics = ShardMetrics.Track(ServiceProvider, Key, () => _members.Count);
        _members.GraceMs = _refreshLagMs + ExpiryMarginMs;
        this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A graceful stop of this silo: go on elsewhere with everything this grain holds.
        if (home.ShouldHandOff(reason)) MigrateOnIdle();
        _metrics?.Dispose();
        return Task.CompletedTask;
    }

    public Task<ShardStatus> Attach(IGatewayObserver gateway, int refreshLagMs)
    {
        _gateway = gateway;
        _lastAttachMs = Monotonic.NowMs();
        _refreshLagMs = Math.Max(0, refreshLagMs);
        _members.GraceMs = _refreshLagMs + ExpiryMarginMs;
        return Task.FromResult(Status);
    }

    public Task Join(ShardMember[] members)
    {
        _members.Add(members, Monotonic.NowMs());
        return Task.CompletedTask;
    }

    public Task Refresh(ShardMember[] members)
    {
        _members.Refresh(members, Monotonic.NowMs());
        return Task.CompletedTask;
    }

    public Task Leave(ShardRemoval[] departures)
    {
        _pendingRemovals.AddRange(_members.Depart(departures, Monotonic.NowMs()));
        return Task.CompletedTask;
    }

    public Task<ShardSnapshot> GetSnapshot()
    {
        _metrics?.CountSnapshot();
        return Task.FromResult(new ShardSnapshot(_epoch, _sequence, _members.Members(Monotonic.NowMs()), _members.Departed()));
    }

    public Task<ShardStatus> Refill(ShardMember[] members)
    {
        _metrics?.CountRefill();
        int added = _members.Add(members, Monotonic.NowMs());
        if (added > 0) logger.LogInformation("Shard {Shard} lost its state; its gateway refilled {Count} members", Key, added);
        return Task.FromResult(Status);
    }

    private ShardStatus Status => new(_epoch, _sequence);

    private Task Tick()
    {
        long now = Monotonic.NowMs();
        var expired = _members.Expire(now);
        if (expired.Count > 0)
        {
            _pendingRemovals.AddRange(expired);
            ReleaseOwners(expired);
        }
        if (++_ticks % 10 == _index % 10)
        {
            _members.ForgetOldDepartures(now);
            if (home.IsAway(this)) MigrateOnIdle();
        }

        bool gatewaySilent = now - _lastAttachMs > GatewaySilenceLimitMs;
        if (_gateway is not null && gatewaySilent)
        {
            logger.LogInformation("Shard {Shard}: its gateway has not announced itself for {Seconds} s; no more ticks until it does",
                Key, (now - _lastAttachMs) / 1000);
            _gateway = null;
        }
        if (_gateway is null)
        {
            // Nobody pings these members; once they have expired there is nothing left to keep. Not
            // before the gateway has had its time to announce itself: an empty shard that a read
            // activated just before the gateway's first round (seen: a test's reads) would
            // otherwise restart under it with a new epoch.
            if (gatewaySilent && _members.Count == 0) DeactivateOnIdle();
            return Task.CompletedTask;
        }

        _sequence++;
        _metrics?.CountTick();
        var tick = new ShardTick(_index, _epoch, _sequence, [.. _pendingRemovals]);
        _pendingRemovals.Clear();
        try
        {
            // One way: returns at once, even if the gateway is dead.
            _gateway.OnTick(tick).FireAndForget(logger, $"sending tick {_sequence} of {Key}");
        }
        catch (Exception error)
        {
            logger.LogDebug(error, "Shard {Shard}: tick {Sequence} could not be sent", Key, _sequence);
        }
        return Task.CompletedTask;
    }

    /// <summary>Expired members have no owner any more; their partitions learn it in one batch each.</summary>
    private void ReleaseOwners(List<ShardRemoval> expired)
    {
        foreach (var group in expired.GroupBy(removal => ClientPartitions.Of(removal.Client)))
        {
            GrainFactory.GetGrain<IClientPartitionGrain>(group.Key)
                .Release(_gatewayId, _index, [.. group])
                .FireAndForget(logger, "releasing expired clients");
        }
    }

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext context)
    {
        long now = Monotonic.NowMs();
        context.TryAddValue("shard", new PingShardState(
            _epoch, _sequence, _gateway, now - _lastAttachMs, _refreshLagMs,
            _members.Members(now), _members.Departed(), [.. _pendingRemovals]));
    }

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext context)
    {
        if (!context.TryGetValue("shard", out PingShardState? state) || state is null) return;
        long now = Monotonic.NowMs();
        // Same epoch and sequence: to the gateway, the shard never moved.
        _epoch = state.Epoch;
        _sequence = state.Sequence;
        _gateway = state.Gateway;
        _lastAttachMs = now - state.SinceAttachMs;
        _refreshLagMs = state.RefreshLagMs;
        _members.GraceMs = _refreshLagMs + ExpiryMarginMs;
        _members.Restore(state.Members, state.Departed, now);
        _pendingRemovals = [.. state.PendingRemovals];
    }
}
