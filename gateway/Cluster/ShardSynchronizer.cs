using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Protocol;
using TixTrigger.Settings;
using TixTrigger.Time;

namespace TixTrigger.Gateway.Cluster;

/// <summary>
/// Keeps the mirror in step with the gateway's shard grains, each shard on loops of its own: one
/// attaches this process every announcement interval (observers are not durable, and the call
/// reactivates a shard lost with its silo), one resynchronises the shard when asked, with a growing
/// pause after a failure. A slow shard holds up no other and no announcement. Shard 0 goes first: it
/// accepts this process as the GATEWAY_ID's holder and grants its claim epoch; a process refused
/// there (another live process holds the id) never attaches to the others and reports it.
/// </summary>
internal sealed partial class ShardSynchronizer : IGatewayObserver
{
    private const int FirstBackoffMs = 500;

    /// <summary>Until shard 0 has answered, it is asked this often: the first claims wait for its grant.</summary>
    private static readonly TimeSpan UngrantedRetry = TimeSpan.FromMilliseconds(200);
    private const int MaxBackoffMs = 10_000;

    private readonly IGrainFactory _grains;
    private readonly UdpGatewayOptions _options;
    private readonly PingMirror _mirror;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Func<bool> _connected;
    private readonly Action<GatewayHolder> _refused;
    private readonly PartitionWatcher _partitions;
    private readonly ShardLink[] _links;
    private readonly SemaphoreSlim[] _resyncWanted;
    private readonly TaskCompletionSource _granted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ClusterFailureLog _failures;
    private readonly ClusterFailureLog _connectFailures;
    private GatewayProcess _process;
    private long _firstRefusalMs = -1;
    private volatile bool _fenced;

    // Made once the cluster is reachable: before a client has connected, Orleans cannot make grain references.
    private IPingShardGrain[]? _shards;
    private IGatewayObserver? _reference;

    /// <param name="endpoint">Where this process listens (host name, address and port): a restart in place takes the id over at once.</param>
    /// <param name="refused">Another live process holds this GATEWAY_ID: this one must stop serving.</param>
    /// <param name="partitions">Told when every shard is in step (the resumed clients must be claimed) and which clients a refill put back.</param>
    public ShardSynchronizer(IGrainFactory grains, UdpGatewayOptions options, PingMirror mirror, GatewayMetrics metrics, ILogger logger,
        Func<bool> connected, string endpoint, Action<GatewayHolder> refused, PartitionWatcher partitions)
    {
        _partitions = partitions;
        _grains = grains;
        _options = options;
        _mirror = mirror;
        _metrics = metrics;
        _logger = logger;
        _connected = connected;
        _refused = refused;
        _failures = new ClusterFailureLog(logger, "Shard");
        _connectFailures = new ClusterFailureLog(logger, "The cluster");
        _links = [.. mirror.Shards.Select(shard => new ShardLink(shard))];
        _resyncWanted = [.. _links.Select(_ => new SemaphoreSlim(0, 1))];
        _process = new GatewayProcess(Guid.NewGuid(), endpoint, ClaimEpoch: 0, (int)mirror.Context.RefreshLagMs);
    }

    /// <summary>Accepted as the holder of its GATEWAY_ID: until then it claims nothing and tells the cluster nothing.</summary>
    public bool Accepted => _granted.Task.IsCompleted && !_fenced;

    /// <summary>Shards this gateway is in step with (all of them, once it has caught up after a start): the status page shows it.</summary>
    public int SyncedShards => _links.Count(link => link.Synced);

    /// <summary>Whether shard <paramref name="index"/> has been in step since this process started: its claims may leave.</summary>
    public bool IsSynced(int index) => _links[index].Synced;

    public Task RunAsync(CancellationToken stopping) =>
        Task.WhenAll(Enumerable.Range(0, _links.Length).SelectMany(index => new[] { AttachLoopAsync(index, stopping), ResyncLoopAsync(index, stopping) }));

    public void Detach()
    {
        if (_reference is not null) _grains.DeleteObjectReference<IGatewayObserver>(_reference);
    }

    private bool TryConnect()
    {
        if (_reference is not null) return true;
        if (!_connected()) return false;
        try
        {
            _shards = [.. Enumerable.Range(0, _links.Length).Select(i => _grains.GetGrain<IPingShardGrain>(ShardKey.Format(_options.GatewayId, i)))];
            // The runtime holds observers weakly: this object is kept alive by the gateway that owns it.
            _reference = _grains.CreateObjectReference<IGatewayObserver>(this);
            return true;
        }
        catch (Exception error)
        {
            _connectFailures.Failed(error);
            return false;
        }
    }

    private async Task AttachLoopAsync(int index, CancellationToken stopping)
    {
        try
        {
            // Shard 0 accepts this process (or not) before any other shard hears of it.
            if (index != 0) await _granted.Task.WaitAsync(stopping);
            while (!_fenced)
            {
                if (TryConnect()) await AttachAsync(index);
                // Until the grant, shard 0 is asked again soon: nothing is claimed meanwhile.
                await Task.Delay(_granted.Task.IsCompleted ? _options.AnnounceInterval : UngrantedRetry, stopping);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AttachAsync(int index)
    {
        try
        {
            var reply = await _shards![index].Attach(_reference!, _process);
            if (reply.RefusedFor is { } holder)
            {
                Refused(holder);
                return;
            }
            if (index == 0 && !_granted.Task.IsCompleted)
            {
                _mirror.StartEpoch(reply.ClaimEpoch);
                _process = _process with { ClaimEpoch = reply.ClaimEpoch };
                _granted.TrySetResult();
                LogAccepted(_options.GatewayId, reply.ClaimEpoch);
            }
            if (_links[index].NeedsResync(reply.Status)) WantResync(index);
        }
        catch (Exception error)
        {
            _failures.Failed(error, index);
        }
    }

    /// <summary>
    /// Another process holds this GATEWAY_ID. Before the grant, the holder may be a crashed process
    /// whose lease has not run out: this one asks again until it has; then, or at once when this
    /// process had been the holder (a later one took over), it stops serving.
    /// </summary>
    private void Refused(GatewayHolder holder)
    {
        long now = Monotonic.NowMs();
        if (_firstRefusalMs < 0) _firstRefusalMs = now;
        if (!_granted.Task.IsCompleted && now - _firstRefusalMs < ClusterTiming.GatewayLeaseMs + 2 * (long)_options.AnnounceInterval.TotalMilliseconds) return;
        if (_fenced) return;
        _fenced = true;
        _refused(holder);
    }

    /// <summary>
    /// Stopping before this process caught up with its shards (a stop right after the start): one
    /// last attempt to hold the id and get in step, so that the last claims can still leave.
    /// </summary>
    public async Task CatchUpAsync()
    {
        if (_fenced || !TryConnect()) return;
        if (!_granted.Task.IsCompleted) await AttachAsync(0);
        if (!Accepted) return;
        await Task.WhenAll(Enumerable.Range(0, _links.Length).Where(index => !_links[index].Synced).Select(async index =>
        {
            await AttachAsync(index);
            if (!_links[index].TryBegin()) return;
            try
            {
                while (!await ResyncOnceAsync(index, _links[index]))
                {
                }
            }
            catch (Exception error)
            {
                _links[index].Abort();
                _failures.Failed(error, index);
            }
        }));
    }

    private void WantResync(int index)
    {
        try
        {
            _resyncWanted[index].Release();
        }
        catch (SemaphoreFullException)
        {
            // Already asked for.
        }
    }

    public Task OnTick(ShardTick tick)
    {
        if ((uint)tick.ShardIndex < (uint)_links.Length && _links[tick.ShardIndex].OnTick(tick, Monotonic.NowMs())) WantResync(tick.ShardIndex);
        return Task.CompletedTask;
    }

    private async Task ResyncLoopAsync(int index, CancellationToken stopping)
    {
        var link = _links[index];
        try
        {
            while (!_fenced)
            {
                await _resyncWanted[index].WaitAsync(stopping);
                for (int backoffMs = 0; !_fenced; backoffMs = Math.Clamp(backoffMs * 2, FirstBackoffMs, MaxBackoffMs))
                {
                    if (backoffMs > 0) await Task.Delay(backoffMs, stopping);
                    if (!link.TryBegin()) break;
                    try
                    {
                        while (!await ResyncOnceAsync(index, link))
                        {
                        }
                        break;
                    }
                    catch (Exception error)
                    {
                        link.Abort();
                        _failures.Failed(error, index);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One pass: snapshot, or refill if the shard lost its state; true when in step and nothing held back needs another.</summary>
    private async Task<bool> ResyncOnceAsync(int index, ShardLink link)
    {
        var snapshot = await _shards![index].GetSnapshot();
        if (link.LostState(snapshot))
        {
            // Not what this gateway was in step with: the shard restarted empty (or nearly). Refill
            // it, rather than let its near-empty snapshot empty the mirror. What it removed since
            // its restart (moves) goes first, and the ticks after its snapshot still apply: a
            // refill reflects none of its removals.
            long sentAt = Monotonic.NowMs();
            link.Shard.ApplyRemovals(snapshot.Departed, sentAt);
            var members = link.Shard.MembersForRefill(sentAt);
            await _shards![index].Refill(members);
            link.Shard.CompleteRefill(members, sentAt);
            LogRefilled(index, members.Length);
            // The lost activation may have taken moves it never told: the clients' partitions know the newer owners.
            _partitions.ClaimAgain(members.Select(member => ClientPartitions.Of(member.Client)));
            return link.Complete(snapshot.Epoch, snapshot.Sequence, Monotonic.NowMs);
        }
        bool first = !link.Synced;
        link.Shard.Merge(snapshot, Monotonic.NowMs(), verdict => _metrics.CountDrop(verdict.Reason()));
        if (first && snapshot.Members.Length > 0) LogResumed(index, snapshot.Members.Length);
        bool complete = link.Complete(snapshot.Epoch, snapshot.Sequence, Monotonic.NowMs);
        if (first && complete && SyncedShards == _links.Length) _partitions.Wake();
        return complete;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GATEWAY_ID {GatewayId}: this process holds it, claim epoch {Epoch}")]
    private partial void LogAccepted(string gatewayId, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} restarted empty: refilled it with {Count} clients from the mirror")]
    private partial void LogRefilled(int shard, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard}: resumed {Count} clients")]
    private partial void LogResumed(int shard, int count);
}
