using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Settings;
using TixTrigger.Tasks;
using TixTrigger.Time;

namespace TixTrigger.Gateway.Cluster;

/// <summary>
/// Keeps the mirror in step with the gateway's shard grains. It announces the gateway to every
/// shard every few seconds (observers are not durable, and the call reactivates a shard lost with
/// its silo), applies the shards' ticks in sequence, and
/// resynchronises a shard when this gateway has just started (snapshot: a restarted gateway resumes
/// its clients), when its ticks have a gap (snapshot), or when the shard restarted empty (refill
/// from the mirror: no client lost). One resynchronisation per shard at a time, each to completion.
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
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ShardState[] _states;
    private readonly LogThrottle _failureLog = new();

    // Made once the cluster is reachable: before a client has connected, Orleans cannot make grain references.
    private IPingShardGrain[]? _shards;
    private IGatewayObserver? _reference;

    private readonly Func<bool> _connected;

    public ShardSynchronizer(IGrainFactory grains, UdpGatewayOptions options, PingMirror mirror, GatewayMetrics metrics, ILogger logger, Func<bool> connected)
    {
        _connected = connected;
        _grains = grains;
        _options = options;
        _mirror = mirror;
        _metrics = metrics;
        _logger = logger;
        _states = [.. Enumerable.Range(0, options.ShardsPerGateway).Select(_ => new ShardState())];
    }

    /// <summary>Shards this gateway is in step with (all of them, once it has caught up after a start): the status page shows it.</summary>
    public int SyncedShards => _states.Count(state => state.Synced);

    private bool TryConnect()
    {
        if (_reference is not null) return true;
        if (!_connected()) return false;
        try
        {
            _shards = [.. Enumerable.Range(0, _states.Length).Select(i => _grains.GetGrain<IPingShardGrain>(ShardKey.Format(_options.GatewayId, i)))];
            // The runtime holds observers weakly: this object is kept alive by the gateway that owns it.
            _reference = _grains.CreateObjectReference<IGatewayObserver>(this);
            return true;
        }
        catch (Exception error)
        {
            LogFailure(error, "The cluster");
            return false;
        }
    }

    /// <summary>One announcement round: every shard hears from this gateway, once the cluster is reachable.</summary>
    public Task AnnounceAsync() =>
        TryConnect() ? Task.WhenAll(Enumerable.Range(0, _states.Length).Select(AnnounceToShardAsync)) : Task.CompletedTask;

    public void Detach()
    {
        if (_reference is not null) _grains.DeleteObjectReference<IGatewayObserver>(_reference);
    }

    private async Task AnnounceToShardAsync(int index)
    {
        try
        {
            var status = await _shards![index].Attach(_reference!, (int)_mirror.Settings.RefreshLagMs);
            var state = _states[index];
            bool resync;
            lock (state)
            {
                resync = !state.Resyncing && (!state.Synced
                    || status.Epoch != state.Epoch
                    // Ticks are being produced but none reach us: a stale observer on the shard's side.
                    || status.Sequence > state.Sequence + 3);
            }
            if (resync) await ResyncAsync(index);
        }
        catch (Exception error)
        {
            LogFailure(error, $"shard {index}");
        }
    }

    public Task OnTick(ShardTick tick)
    {
        if ((uint)tick.ShardIndex >= (uint)_states.Length) return Task.CompletedTask;
        var state = _states[tick.ShardIndex];
        bool resync = false;
        lock (state)
        {
            if (state.Resyncing)
            {
                state.Buffered.Add(tick);
            }
            else if (!state.Synced || tick.Epoch != state.Epoch || tick.Sequence > state.Sequence + 1)
            {
                state.Buffered.Add(tick);
                resync = true;
            }
            else if (tick.Sequence == state.Sequence + 1)
            {
                _mirror.Shards[tick.ShardIndex].ApplyRemovals(tick.Removals, Monotonic.NowMs());
                state.Sequence = tick.Sequence;
            }
            // else: a tick from before the last snapshot, already reflected in it.
        }
        if (resync) ResyncInBackground(tick.ShardIndex);
        return Task.CompletedTask;
    }

    private void ResyncInBackground(int index) => Task.Run(() => ResyncAsync(index)).FireAndForget(_logger, $"resynchronising shard {index}");

    /// <summary>
    /// Brings one shard in step: snapshot, or refill if the shard lost its state, then the ticks that
    /// arrived meanwhile. Runs again if those ticks show another gap. Only the caller that set the
    /// resyncing flag clears it, so two resynchronisations never interleave.
    /// </summary>
    private async Task ResyncAsync(int index)
    {
        var state = _states[index];
        lock (state)
        {
            if (state.Resyncing) return;
            state.Resyncing = true;
        }
        try
        {
            while (!await ResyncOnceAsync(index, state))
            {
            }
        }
        catch
        {
            // A pass that succeeds clears the flag itself, under the lock that applies the buffered ticks.
            lock (state) state.Resyncing = false;
            throw;
        }
    }

    /// <summary>One pass; true when the shard is in step and nothing buffered needs another.</summary>
    private async Task<bool> ResyncOnceAsync(int index, ShardState state)
    {
        var shard = _mirror.Shards[index];
        var snapshot = await _shards![index].GetSnapshot();
        bool synced, lostState;
        lock (state)
        {
            synced = state.Synced;
            lostState = synced && snapshot.Epoch != state.Epoch;
        }
        Guid epoch;
        long sequence;
        if (lostState)
        {
            // Not what this gateway was in step with: the shard restarted empty (or nearly). Refill
            // it, rather than let its near-empty snapshot empty the mirror.
            long sentAt = Monotonic.NowMs();
            var members = shard.MembersForRefill(sentAt);
            var status = await _shards![index].Refill(members);
            shard.CompleteRefill(members, sentAt);
            (epoch, sequence) = (status.Epoch, status.Sequence);
            _logger.LogInformation("Shard {Shard} restarted empty: refilled it with {Count} clients from the mirror", index, members.Length);
        }
        else
        {
            shard.Merge(snapshot, Monotonic.NowMs(), verdict => _metrics.CountDrop(verdict.Reason()));
            (epoch, sequence) = (snapshot.Epoch, snapshot.Sequence);
            if (!synced && snapshot.Members.Length > 0) _logger.LogInformation("Shard {Shard}: resumed {Count} clients", index, snapshot.Members.Length);
        }

        lock (state)
        {
            state.Epoch = epoch;
            state.Sequence = sequence;
            state.Synced = true;
            state.Buffered.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            foreach (var tick in state.Buffered)
            {
                if (tick.Epoch != state.Epoch || tick.Sequence > state.Sequence + 1)
                {
                    // Another gap (or another restart) while we were at it: go again.
                    state.Buffered.Clear();
                    return false;
                }
                if (tick.Sequence <= state.Sequence) continue;
                shard.ApplyRemovals(tick.Removals, Monotonic.NowMs());
                state.Sequence = tick.Sequence;
            }
            state.Buffered.Clear();
            // Still under the lock: a tick arriving now is applied directly, not buffered and lost.
            state.Resyncing = false;
            return true;
        }
    }

    private void LogFailure(Exception error, string what)
    {
        if (!_failureLog.ShouldLog()) return;
        _logger.LogWarning("{What} is unreachable for now; pinging goes on from the mirror: {Error}", what, error.Message);
    }
}
