using Microsoft.Extensions.Logging;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Protocol;
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
public sealed partial class PingShardGrain(ILogger<PingShardGrain> logger, HomeKeeper home)
    : Grain, IPingShardGrain, IGrainMigrationParticipant
{
    private static readonly int TicksPerHomeCheck = (int)(ClusterTiming.HomeCheckInterval / ClusterTiming.ShardTickInterval);

    private readonly ShardMembers _members = new();
    private readonly GatewayFence _fence = new();
    private List<ShardRemoval> _pendingRemovals = [];
    // Expired members whose partitions have not yet heard it: sent again every tick until they have.
    private List<ShardRemoval> _unreleased = [];
    private Guid _epoch = Guid.NewGuid();
    private long _sequence;
    private long _ticks;
    private IGatewayObserver? _gateway;
    // From activation: a new shard gives its gateway as long to announce itself as one that went quiet.
    private long _lastAttachMs = Monotonic.NowMs();
    private int _refreshLagMs = (int)ClusterTiming.MaxRefreshLagMs;
    private string _gatewayId = "";
    private int _index;
    private ShardCounters? _metrics;

    private string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_gatewayId, _index) = ShardKey.Parse(Key);
        _metrics = ShardMetrics.Track(ServiceProvider, Key, () => _members.Count);
        _members.GraceMs = _refreshLagMs + ClusterTiming.ShardExpiryMarginMs;
        this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(ClusterTiming.ShardTickInterval, ClusterTiming.ShardTickInterval));
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A graceful stop of this silo: go on elsewhere with everything this grain holds.
        if (home.ShouldHandOff(reason)) MigrateOnIdle();
        _metrics?.Dispose();
        return Task.CompletedTask;
    }

    public Task<AttachReply> Attach(IGatewayObserver gateway, GatewayProcess process)
    {
        long now = Monotonic.NowMs();
        var refused = _fence.Attach(process, now, grants: _index == 0, _members.HighestClaimId >> 32, out long epoch);
        if (refused is not null)
        {
            LogRefused(Key, process.Endpoint, refused.Endpoint, refused.SilentForMs);
            return Task.FromResult(new AttachReply(Status, 0, refused));
        }
        _gateway = gateway;
        _lastAttachMs = now;
        _refreshLagMs = Math.Max(0, process.RefreshLagMs);
        _members.GraceMs = _refreshLagMs + ClusterTiming.ShardExpiryMarginMs;
        return Task.FromResult(new AttachReply(Status, epoch, null));
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

    public Task<ShardMember?> GetMember(Endpoints.ClientEndpoint client) => Task.FromResult(_members.Find(client, Monotonic.NowMs()));

    public Task<ShardSnapshot> GetSnapshot()
    {
        _metrics?.CountSnapshot();
        return Task.FromResult(new ShardSnapshot(_epoch, _sequence, _members.Members(Monotonic.NowMs()), _members.Departed(Monotonic.NowMs())));
    }

    public Task<ShardStatus> Refill(ShardMember[] members)
    {
        _metrics?.CountRefill();
        int added = _members.Add(members, Monotonic.NowMs());
        if (added > 0) LogRefilled(Key, added);
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
            _unreleased.AddRange(expired);
        }
        ReleaseOwners();
        if (++_ticks % TicksPerHomeCheck == _index % TicksPerHomeCheck)
        {
            _members.ForgetOldDepartures(now);
            if (home.IsAway(this)) MigrateOnIdle();
        }

        bool gatewaySilent = now - _lastAttachMs > ClusterTiming.GatewayGoneAfterMs;
        if (_gateway is not null && gatewaySilent)
        {
            LogGatewaySilent(Key, (now - _lastAttachMs) / 1000);
            _gateway = null;
        }
        if (_gateway is null)
        {
            // Nobody pings these members; once they have expired there is nothing left to keep. Not
            // before the gateway has had its time to announce itself: an empty shard read just before
            // the gateway's first round would otherwise restart under it with a new epoch.
            if (gatewaySilent && _members.Count == 0 && _unreleased.Count == 0) DeactivateOnIdle();
            return Task.CompletedTask;
        }

        _sequence++;
        _metrics?.CountTick();
        var tick = new ShardTick(_index, _epoch, _sequence, [.. _pendingRemovals]);
        _pendingRemovals.Clear();
        try
        {
            // One way: returns at once, even if the gateway is dead (so the description is built only when it did not).
            var sending = _gateway.OnTick(tick);
            if (!sending.IsCompletedSuccessfully) sending.FireAndForget(logger, $"sending tick {_sequence} of {Key}");
        }
        catch (Exception error)
        {
            LogTickNotSent(error, Key, _sequence);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Expired members have no owner any more; their partitions learn it in one batch each, again
    /// every tick until taken (an owner left behind would send a later move's Leave to this shard in vain).
    /// </summary>
    private void ReleaseOwners()
    {
        if (_unreleased.Count == 0 || _releasing) return;
        var batch = _unreleased;
        _unreleased = [];
        _releasing = true;
        ReleaseAsync(batch).Ignore();
    }

    private bool _releasing;

    private async Task ReleaseAsync(List<ShardRemoval> batch)
    {
        try
        {
            foreach (var group in batch.GroupBy(removal => ClientPartitions.Of(removal.Client)))
            {
                try
                {
                    await GrainFactory.GetGrain<IClientPartitionGrain>(group.Key).Release(_gatewayId, _index, [.. group]);
                }
                catch (Exception error) when (error is TimeoutException or OrleansException)
                {
                    _unreleased.AddRange(group);
                    LogReleaseFailed(Key, group.Key, group.Count(), error.Message);
                }
            }
        }
        finally
        {
            _releasing = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard} refused an attach from {Endpoint}: its GATEWAY_ID is held by the process at {Holder}, heard {SilentForMs} ms ago")]
    private partial void LogRefused(string shard, string endpoint, string holder, int silentForMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard}: its gateway has not announced itself for {Seconds} s; no more ticks until it does")]
    private partial void LogGatewaySilent(string shard, long seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shard {Shard}: tick {Sequence} could not be sent")]
    private partial void LogTickNotSent(Exception error, string shard, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} lost its state; its gateway refilled {Count} members")]
    private partial void LogRefilled(string shard, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard}: client partition {Partition} did not take {Count} releases ({Error}); they go again next tick")]
    private partial void LogReleaseFailed(string shard, int partition, int count, string error);

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext context)
    {
        long now = Monotonic.NowMs();
        context.TryAddValue("shard", new PingShardState(
            _epoch, _sequence, _gateway, now - _lastAttachMs, _refreshLagMs,
            _members.Members(now), _members.Departed(now), [.. _pendingRemovals],
            _fence.Holder, _fence.LastGranted, [.. _unreleased]));
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
        _members.GraceMs = _refreshLagMs + ClusterTiming.ShardExpiryMarginMs;
        _members.Restore(state.Members, state.Departed, now);
        _pendingRemovals = [.. state.PendingRemovals];
        _fence.Restore(state.Holder, state.SinceAttachMs, state.LastGrantedEpoch, now);
        _unreleased = [.. state.Unreleased];
    }
}
