using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Settings;
using TixTrigger.Time;

namespace TixTrigger.Gateway.Cluster;

/// <summary>
/// Keeps the client partitions' owner records whole. Every announcement interval it asks each
/// partition its epoch; under an epoch this gateway has not claimed its clients in, it claims them
/// all again, so a partition that came back empty knows every owner within an interval, and a later
/// move is never missed. A claim's answer that shows another epoch brings the same at once, which is
/// also why a gateway with no client asks nothing: its first client's claim learns the epoch.
/// Starts once every shard is in step: the clients resumed from them are claimed too.
/// </summary>
internal sealed partial class PartitionWatcher(IGrainFactory grains, UdpGatewayOptions options, PingMirror mirror, ILogger logger, Func<bool> ready)
{
    /// <summary>Claims per call when claiming a partition again: a million clients are 64 × 16k.</summary>
    private const int ClaimsPerCall = 4_096;

    private readonly PartitionEpochs _epochs = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ClusterFailureLog _failures = new(logger, "Client partition");
    private readonly int[] _watching = new int[ClientPartitions.Count];

    /// <summary>A claim's answer: another epoch than the one this gateway claimed under wakes the watcher.</summary>
    public void Observe(int partition, Guid epoch)
    {
        if (_epochs.NeedsClaims(partition, epoch)) Wake();
    }

    /// <summary>
    /// Clients a shard that restarted empty got back from the mirror: it lost the moves it had taken
    /// and not yet told, so their partitions, which know the newer owners, must hear them claimed again.
    /// </summary>
    public void ClaimAgain(IEnumerable<int> partitions)
    {
        foreach (int partition in partitions.Distinct()) _epochs.Forget(partition);
        Wake();
    }

    /// <summary>Watches now rather than at the next round: every shard has just come in step, and the clients resumed from them must be claimed.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            if (ready() && !mirror.Context.Occupancy.IsEmpty)
            {
                // A partition whose silo is slow to answer holds up no other: each is watched on its own.
                for (int partition = 0; partition < ClientPartitions.Count; partition++)
                {
                    if (Interlocked.Exchange(ref _watching[partition], 1) == 0) _ = WatchAsync(partition);
                }
            }
            try
            {
                await _wake.WaitAsync(options.AnnounceInterval, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WatchAsync(int partition)
    {
        try
        {
            var grain = grains.GetGrain<IClientPartitionGrain>(partition);
            var epoch = await grain.Watch();
            if (!_epochs.NeedsClaims(partition, epoch)) return;
            var owned = mirror.OwnedIn(partition, Monotonic.NowMs());
            int ttlMs = options.ClientExpirationSeconds * 1000;
            bool same = true;
            foreach (var chunk in owned.Chunk(ClaimsPerCall))
            {
                var claims = chunk.Select(claim => new ClientClaim(claim.Member.Client, claim.Shard, claim.Member.ClaimId, ttlMs, claim.HeartbeatAgeMs)).ToArray();
                same &= await grain.Claim(options.GatewayId, claims) == epoch;
            }
            // Another restart meanwhile: the next round claims again under the new epoch.
            if (!same) return;
            _epochs.Claimed(partition, epoch);
            if (owned.Count > 0) LogClaimedAgain(partition, owned.Count);
        }
        catch (Exception error)
        {
            // Its owners are checked again next round.
            _failures.Failed(error, partition);
        }
        finally
        {
            Volatile.Write(ref _watching[partition], 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client partition {Partition} has a new epoch (it lost its owners or first met this gateway): claimed its {Count} clients here again")]
    private partial void LogClaimedAgain(int partition, int count);
}
