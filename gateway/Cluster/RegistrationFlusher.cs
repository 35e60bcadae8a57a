using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Protocol;
using TixTrigger.Settings;
using TixTrigger.Tasks;
using TixTrigger.Time;

namespace TixTrigger.Gateway.Cluster;

/// <summary>
/// Hands the cluster what it must know of this gateway's clients, in batches: every 50 ms the new
/// clients (a claim per client partition, a join per shard grain), every second the deadlines that
/// would otherwise lag too far (a refresh per shard grain). A batch that fails is queued again and
/// retried with a growing pause, so a cluster that is away (or not yet reached) gets the backlog
/// once it answers, and the heartbeat path never waits for it. Before claims leave, the per-network
/// ping budget has its say (<see cref="PrefixBudgetReporter"/>): refused new clients are never claimed.
/// </summary>
/// <param name="connected">Whether the cluster is reachable and this process holds its GATEWAY_ID.</param>
/// <param name="shardReady">Whether a shard is in step since this process started: only then do its claims leave, above every claim it holds.</param>
/// <param name="partitionEpoch">Hears each client partition's epoch from the answers to claims.</param>
internal sealed partial class RegistrationFlusher(IGrainFactory grains, UdpGatewayOptions options, PingMirror mirror, GatewayMetrics metrics, ILogger logger,
    Func<bool> connected, Func<int, bool> shardReady, Action<int, Guid> partitionEpoch)
{
    private const long MaxBackoffMs = 2_000;

    private readonly LogThrottle _failureLog = new();
    private readonly PrefixBudgetReporter _budget = new(grains, options, mirror, metrics, logger);
    private string? _lastError;
    private long _nextRefreshMs;
    private long _backoffMs;
    private long _notBeforeMs;

    public async Task RunAsync(CancellationToken stopping)
    {
        PeriodicTimer? timer = null;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (Idle())
                {
                    // No client, nothing to report: a 50 ms timer would wake an idle node 20 times a second for nothing.
                    timer?.Dispose();
                    timer = null;
                    await Task.WhenAny(mirror.Context.Occupancy.WhenNotEmpty(), Task.Delay(IdleRoundInterval, stopping));
                    stopping.ThrowIfCancellationRequested();
                }
                else
                {
                    timer ??= new PeriodicTimer(ClusterTiming.ClaimBatchInterval);
                    if (!await timer.WaitForNextTickAsync(stopping)) break;
                }
                await FlushAsync(final: false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            timer?.Dispose();
        }
    }

    /// <summary>While idle, a round still runs this often: a safety net, should anything but a first client ever have work for it.</summary>
    private static readonly TimeSpan IdleRoundInterval = TimeSpan.FromMilliseconds(ClusterTiming.RefreshBatchIntervalMs);

    /// <summary>
    /// Nothing a round could send: no entry in the mirror (so no claim or refresh), no network the
    /// budget grains must hear of again, no failed round to retry.
    /// </summary>
    private bool Idle() => _backoffMs == 0 && mirror.Context.Occupancy.IsEmpty && mirror.ClaimsQueued == 0 && _budget.Idle;

    /// <summary>One round: the claims always (after a failure, once the pause is over), the refreshes when due.</summary>
    public async Task FlushAsync(bool final)
    {
        long now = Monotonic.NowMs();
        // Until the client has reached the cluster, the backlog simply waits (it is pinged meanwhile).
        if (!connected() || (now < _notBeforeMs && !final)) return;
        var (claimed, ok) = await ClaimAsync(now);
        if (ok && (now >= _nextRefreshMs || final))
        {
            _nextRefreshMs = now + ClusterTiming.RefreshBatchIntervalMs;
            ok = await RefreshAsync(now);
        }
        if (final)
        {
            if (ok) LogHandedOver(claimed);
            else LogNotHandedOver(_lastError);
        }
        if (ok)
        {
            _backoffMs = 0;
            return;
        }
        _backoffMs = Math.Clamp(_backoffMs * 2, 500, MaxBackoffMs);
        _notBeforeMs = Monotonic.NowMs() + _backoffMs;
    }

    /// <summary>Sends the queued claims; returns how many, and whether the cluster took them all.</summary>
    private async Task<(int Claimed, bool Ok)> ClaimAsync(long now)
    {
        // Every round, claims or not: counts that went down (expiries) reach the budget grains too.
        var claims = await _budget.SettleAsync(mirror.DrainClaims(now, shardReady), now);
        if (claims.Count == 0) return (0, true);
        int ttlMs = options.ClientExpirationSeconds * 1000;
        // The budget's answer may have taken seconds (a grain on a dead silo): a claim's heartbeat is that much older now.
        int settlingMs = (int)Math.Min(int.MaxValue, Monotonic.NowMs() - now);
        var partitionCalls = claims
            .GroupBy(claim => ClientPartitions.Of(claim.Member.Client))
            .ToDictionary(group => group.Key, group => Call(async () => partitionEpoch(group.Key, await grains.GetGrain<IClientPartitionGrain>(group.Key)
                .Claim(options.GatewayId, [.. group.Select(claim => new ClientClaim(claim.Member.Client, claim.Shard, claim.Member.ClaimId, ttlMs, (int)Math.Min(int.MaxValue, (long)claim.HeartbeatAgeMs + settlingMs)))]))));
        var shardCalls = claims
            .GroupBy(claim => claim.Shard)
            .ToDictionary(group => group.Key, group => Call(() => Shard(group.Key).Join([.. group.Select(claim => claim.Member)])));
        await Task.WhenAll(partitionCalls.Values.Concat(shardCalls.Values));

        var results = claims.Select(claim => (claim, partitionCalls[ClientPartitions.Of(claim.Member.Client)].Result && shardCalls[claim.Shard].Result));
        foreach (var group in results.GroupBy(result => result.claim.Shard)) mirror.Shards[group.Key].CompleteClaims(group);
        int failed = partitionCalls.Values.Count(call => !call.Result) + shardCalls.Values.Count(call => !call.Result);
        if (failed > 0 && CountFailure()) LogClaimsFailed(failed, partitionCalls.Count + shardCalls.Count, claims.Count, _lastError);
        return (claims.Count, failed == 0);
    }

    private async Task<bool> RefreshAsync(long now)
    {
        var refreshes = mirror.DrainRefreshes(now);
        if (refreshes.Count == 0) return true;
        var shardCalls = refreshes
            .GroupBy(refresh => refresh.Shard)
            .ToDictionary(group => group.Key, group => Call(() => Shard(group.Key).Refresh([.. group.Select(refresh => refresh.Member)])));
        await Task.WhenAll(shardCalls.Values);
        foreach (var group in refreshes.GroupBy(refresh => refresh.Shard))
        {
            mirror.Shards[group.Key].CompleteRefreshes(group.Select(refresh => (refresh, shardCalls[group.Key].Result)));
        }
        int failed = shardCalls.Values.Count(call => !call.Result);
        if (failed > 0 && CountFailure()) LogRefreshesFailed(failed, shardCalls.Count, _lastError);
        return failed == 0;
    }

    private IPingShardGrain Shard(int index) => grains.GetGrain<IPingShardGrain>(ShardKey.Format(options.GatewayId, index));

    private async Task<bool> Call(Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception error)
        {
            _lastError = error.Message;
            if (!ClusterErrors.IsOutage(error)) LogBatchBug(error);
            return false;
        }
    }

    /// <summary>Counts a failed round; true when it is time to log one.</summary>
    private bool CountFailure()
    {
        metrics.CountRegistrationFailure();
        return _failureLog.ShouldLog();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: the cluster has every client of this gateway ({Claimed} handed over just now)")]
    private partial void LogHandedOver(int claimed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping: the cluster did not take the last registrations ({Error}); a restart resumes only the clients it had")]
    private partial void LogNotHandedOver(string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A registration batch failed (a bug, not an outage); it is retried")]
    private partial void LogBatchBug(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster is not taking this gateway's registrations: {Failed} of {Batches} registration batches failed; {Clients} new clients are pinged and will be registered on retry ({Error})")]
    private partial void LogClaimsFailed(int failed, int batches, int clients, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster is not taking this gateway's registrations: {Failed} of {Batches} refresh batches failed; they are retried ({Error})")]
    private partial void LogRefreshesFailed(int failed, int batches, string? error);
}
