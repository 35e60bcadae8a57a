using Microsoft.Extensions.Logging;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Pinging;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Shards;

/// <summary>
/// Keeps the mirror equal to the gateway's shards. It announces the gateway to every shard every
/// few seconds (observers are not durable, and the call reactivates a shard lost with its silo),
/// applies the shards' ticks in sequence, and resynchronises a shard when its ticks have a gap
/// (snapshot), when this gateway has just started (snapshot: a restarted gateway resumes its
/// clients), or when the shard itself restarted empty (refill from the mirror: no client lost).
/// </summary>
internal sealed class ShardSynchronizer : IGatewayObserver
{
    private sealed class ShardState
    {
        public Guid Epoch;
        public long Sequence;
        public bool Synced;
        public bool Resyncing;
        public readonly List<ShardTick> Buffered = [];
    }

    private readonly IGrainFactory _grains;
    private readonly UdpGatewayOptions _options;
    private readonly PingMirror _mirror;
    private readonly ILogger _logger;
    private readonly ShardState[] _states;
    private readonly IPingShardGrain[] _shards;
    private readonly IGatewayObserver _reference;
    private readonly LogThrottle _failureLog = new();

    public ShardSynchronizer(IGrainFactory grains, UdpGatewayOptions options, PingMirror mirror, ILogger logger)
    {
        _grains = grains;
        _options = options;
        _mirror = mirror;
        _logger = logger;
        _states = new ShardState[options.ShardsPerGateway];
        _shards = new IPingShardGrain[options.ShardsPerGateway];
        for (int i = 0; i < _states.Length; i++)
        {
            _states[i] = new ShardState();
            _shards[i] = grains.GetGrain<IPingShardGrain>(ShardKey.Format(options.GatewayId, i));
        }
        // The runtime holds observers weakly: this object is kept alive by the gateway that owns it.
        _reference = grains.CreateObjectReference<IGatewayObserver>(this);
    }

    public int SyncedShards => _states.Count(s => s.Synced);

    public async Task RunAsync(CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            await Task.WhenAll(Enumerable.Range(0, _shards.Length).Select(AnnounceAsync));
            try
            {
                await Task.Delay(_options.AnnounceInterval, cancellation);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public void Detach() => _grains.DeleteObjectReference<IGatewayObserver>(_reference);

    private async Task AnnounceAsync(int index)
    {
        try
        {
            var status = await _shards[index].Attach(_reference);
            var state = _states[index];
            bool resync, refill = false;
            lock (state)
            {
                if (state.Resyncing) return;
                resync = !state.Synced
                    || status.Epoch != state.Epoch
                    // Ticks are being produced but none reach us: a stale observer on the shard's side.
                    || status.Sequence > state.Sequence + 3;
                refill = state.Synced && status.Epoch != state.Epoch;
            }
            if (resync) await ResyncAsync(index, refill);
        }
        catch (Exception error)
        {
            LogFailure(error, index);
        }
    }

    public Task OnTick(ShardTick tick)
    {
        if ((uint)tick.ShardIndex >= (uint)_states.Length) return Task.CompletedTask;
        var state = _states[tick.ShardIndex];
        bool resync = false, refill = false;
        lock (state)
        {
            if (state.Resyncing)
            {
                state.Buffered.Add(tick);
            }
            else if (!state.Synced || tick.Epoch != state.Epoch)
            {
                resync = true;
                refill = state.Synced;
            }
            else if (tick.Sequence == state.Sequence + 1)
            {
                Apply(tick);
                state.Sequence = tick.Sequence;
            }
            else if (tick.Sequence > state.Sequence + 1)
            {
                resync = true;
            }
        }
        if (resync) ResyncInBackground(tick.ShardIndex, refill);
        return Task.CompletedTask;
    }

    private async void ResyncInBackground(int index, bool refill)
    {
        try
        {
            await ResyncAsync(index, refill);
        }
        catch (Exception error)
        {
            LogFailure(error, index);
        }
    }

    private async Task ResyncAsync(int index, bool refill)
    {
        var state = _states[index];
        bool firstSync;
        lock (state)
        {
            if (state.Resyncing) return;
            state.Resyncing = true;
            state.Buffered.Clear();
            firstSync = !state.Synced;
        }
        try
        {
            ShardSnapshot snapshot;
            if (refill)
            {
                var members = _mirror.MembersOf(index);
                snapshot = await _shards[index].Refill(members);
                _logger.LogInformation("Shard {Shard} restarted empty: refilled it with {Count} members from the mirror", index, members.Length);
            }
            else
            {
                snapshot = await _shards[index].GetSnapshot();
                // Clients whose last heartbeat the shard never took (a failed or coalesced forward)
                // are not in its snapshot: register them rather than drop them.
                var unregistered = _mirror.UnconfirmedMissingFrom(index, snapshot.Members);
                if (unregistered.Length > 0) snapshot = await _shards[index].Refill(unregistered);
            }
            _mirror.ReplaceShard(index, snapshot.Members, SlotOf);
            lock (state)
            {
                state.Epoch = snapshot.Epoch;
                state.Sequence = snapshot.Sequence;
                state.Synced = true;
                foreach (var tick in state.Buffered.OrderBy(t => t.Sequence))
                {
                    if (tick.Epoch != state.Epoch || tick.Sequence != state.Sequence + 1) continue;
                    Apply(tick);
                    state.Sequence = tick.Sequence;
                }
                state.Buffered.Clear();
                // In the same lock as the drain: a tick arriving now is applied, not buffered and lost.
                state.Resyncing = false;
            }
            if (firstSync && snapshot.Members.Length > 0)
            {
                _logger.LogInformation("Shard {Shard}: resumed {Count} clients", index, snapshot.Members.Length);
            }
        }
        finally
        {
            lock (state) state.Resyncing = false;
        }
    }

    private void Apply(ShardTick tick)
    {
        foreach (var member in tick.Upserts) _mirror.Upsert(member, tick.ShardIndex, SlotOf(member.Client));
        foreach (var removed in tick.Removals) _mirror.Remove(removed);
    }

    /// <summary>Members learnt from the cluster rather than a heartbeat spread over the second by hash.</summary>
    private static int SlotOf(ClientEndpoint client) => (int)(client.StableHash() % PingMirror.SlotCount);

    private void LogFailure(Exception error, int index)
    {
        if (!_failureLog.ShouldLog()) return;
        _logger.LogWarning("Shard {Shard} is unreachable for now; pinging goes on from the mirror: {Error}", index, error.Message);
    }
}
