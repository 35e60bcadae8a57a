using Microsoft.Extensions.Logging;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Protocol;
using TixTrigger.Silo.Placement;
using TixTrigger.Tasks;
using TixTrigger.Time;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// One partition of the client grains (see <see cref="IClientPartitionGrain"/>): who owns each of
/// its clients. A claim through another gateway shard moves the client there and tells the old
/// shard to let it go, under the claim it held, so the order these messages arrive in never matters.
/// <para>
/// A partition that migrated carries its owners and its epoch along. One that comes back empty (its
/// silo crashed, or it was collected) has a new epoch: every gateway sees it in its next call and
/// claims again every live client it holds in this partition, so the owners are whole again within
/// an announcement interval, and a later move is never missed.
/// </para>
/// </summary>
[RendezvousPlacement]
public sealed partial class ClientPartitionGrain(ILogger<ClientPartitionGrain> logger, HomeKeeper home)
    : Grain, IClientPartitionGrain, IGrainMigrationParticipant
{
    /// <summary>The partitions' home checks spread over this many announcement intervals, so they never all move at once.</summary>
    private static readonly int HomeCheckPhases = (int)(ClusterTiming.HomeCheckInterval / ClusterTiming.AnnounceInterval);

    private readonly ClientOwners _owners = new();
    private Guid _epoch = Guid.NewGuid();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The timer keeps the partition active (a gateway with no client calls none) and moves it home.
        var firstCheck = ClusterTiming.AnnounceInterval * (1 + this.GetPrimaryKeyLong() % HomeCheckPhases);
        this.RegisterGrainTimer(CheckHome, new GrainTimerCreationOptions(firstCheck, ClusterTiming.HomeCheckInterval) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A graceful stop of this silo: go on elsewhere with everything this grain holds.
        if (home.ShouldHandOff(reason)) MigrateOnIdle();
        return Task.CompletedTask;
    }

    public Task<Guid> Claim(string gatewayId, ClientClaim[] claims)
    {
        foreach (var departure in _owners.ClaimAll(gatewayId, claims, Monotonic.NowMs()))
        {
            LogMoved(departure.Removals.Count, departure.GatewayId, departure.ShardIndex);
            GrainFactory.GetGrain<IPingShardGrain>(ShardKey.Format(departure.GatewayId, departure.ShardIndex))
                .Leave([.. departure.Removals])
                .FireAndForget(logger, $"telling {departure.GatewayId}/{departure.ShardIndex} that clients moved away");
        }
        return Task.FromResult(_epoch);
    }

    public Task<Guid> Watch() => Task.FromResult(_epoch);

    public Task Release(string gatewayId, int shardIndex, ShardRemoval[] expired)
    {
        foreach (var removal in expired) _owners.Release(gatewayId, shardIndex, removal);
        return Task.CompletedTask;
    }

    public Task<ClientOwner?> GetOwner(ClientEndpoint client) => Task.FromResult(_owners.Find(client, Monotonic.NowMs()));

    private Task CheckHome()
    {
        if (home.IsAway(this)) MigrateOnIdle();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Count} clients of {Gateway}/{Shard} are now owned elsewhere")]
    private partial void LogMoved(int count, string gateway, int shard);

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext context)
    {
        var all = _owners.All(Monotonic.NowMs());
        context.TryAddValue("partition", new ClientPartitionState(
            [.. all.Select(entry => entry.Client)],
            [.. all.Select(entry => entry.Owner)],
            _epoch));
    }

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext context)
    {
        if (!context.TryGetValue("partition", out ClientPartitionState? state) || state is null) return;
        long now = Monotonic.NowMs();
        for (int i = 0; i < state.Clients.Length; i++) _owners.Restore(state.Clients[i], state.Owners[i], now);
        _epoch = state.Epoch; // the same owners: to the gateways, nothing was lost
    }
}
