using Microsoft.Extensions.Logging;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Silo.Placement;
using TixTrigger.Tasks;
using TixTrigger.Time;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// One partition of the client grains (see <see cref="IClientPartitionGrain"/>): who owns each of
/// its clients. A claim through another gateway shard moves the client there and tells the old
/// shard to let it go, under the claim it held, so the order these messages arrive in never matters.
/// <para>
/// A partition that migrated carries its owners along; one that was lost with its silo comes back
/// empty and cannot know who held the clients registered before. Until those could all have
/// expired, a claim for a client it does not know asks every other gateway's shard for that client
/// to let it go: a move is never missed, at the cost of a few extra messages per new client.
/// </para>
/// </summary>
[RendezvousPlacement]
public sealed class ClientPartitionGrain(ILogger<ClientPartitionGrain> logger, HomeKeeper home)
    : Grain, IClientPartitionGrain, IGrainMigrationParticipant
{
    /// <summary>Beyond the longest TTL seen: what a shard's refresh lag and safety-net grace may add.</summary>
    private const int RecoveryMarginMs = 60_000;

    private readonly ClientOwners _owners = new();
    private List<(string GatewayId, ClientClaim Claim)> _unresolved = [];
    private long _recoveringSinceMs;
    private int _longestTtlMs;
    private bool _recovering = true;
    private long _ticks;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _recoveringSinceMs = Monotonic.NowMs() - _recoveringSinceMs; // a rehydrated partition set how long it had been recovering
        this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)));
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A graceful stop of this silo: go on elsewhere with everything this grain holds.
        if (home.ShouldHandOff(reason)) MigrateOnIdle();
        return Task.CompletedTask;
    }

    private bool Recovering
    {
        get
        {
            // Until a claim says how long clients live, any client may still be out there.
            if (_recovering && _longestTtlMs > 0 && Monotonic.NowMs() - _recoveringSinceMs > (long)_longestTtlMs + RecoveryMarginMs)
            {
                _recovering = false;
            }
            return _recovering;
        }
    }

    public Task Claim(string gatewayId, ClientClaim[] claims)
    {
        long now = Monotonic.NowMs();
        var departures = new Dictionary<(string GatewayId, int ShardIndex), List<ShardRemoval>>();
        void Depart(string gateway, int shard, ClientEndpoint client, long claimId)
        {
            if (!departures.TryGetValue((gateway, shard), out var list)) departures[(gateway, shard)] = list = [];
            list.Add(new ShardRemoval(client, claimId, RemovalReason.Moved));
        }

        List<ClientClaim>? unknown = null;
        foreach (var claim in claims)
        {
            _longestTtlMs = Math.Max(_longestTtlMs, claim.TtlMs);
            switch (_owners.Claim(gatewayId, claim, now, out var previous, out bool wasKnown))
            {
                case ClaimOutcome.Moved:
                    Depart(previous.GatewayId, previous.ShardIndex, claim.Client, previous.ClaimId);
                    break;
                case ClaimOutcome.Stale:
                    // Delayed on its way here (its gateway could not reach us): the client has heartbeated elsewhere since.
                    Depart(gatewayId, claim.ShardIndex, claim.Client, claim.ClaimId);
                    break;
                case ClaimOutcome.Recorded when !wasKnown && Recovering:
                    (unknown ??= []).Add(claim);
                    break;
            }
        }
        foreach (var ((gateway, shard), removals) in departures)
        {
            logger.LogDebug("{Count} clients of {Gateway}/{Shard} are now owned elsewhere", removals.Count, gateway, shard);
            Shard(gateway, shard).Leave([.. removals]).FireAndForget(logger, $"telling {gateway}/{shard} that clients moved away");
        }
        if (unknown is not null)
        {
            foreach (var claim in unknown) _unresolved.Add((gatewayId, claim));
            return ResolveUnknownOwnersAsync();
        }
        return Task.CompletedTask;
    }

    public Task Release(string gatewayId, int shardIndex, ShardRemoval[] expired)
    {
        foreach (var removal in expired) _owners.Release(gatewayId, shardIndex, removal);
        return Task.CompletedTask;
    }

    public Task<ClientOwner?> GetOwner(ClientEndpoint client) => Task.FromResult(_owners.Find(client, Monotonic.NowMs()));

    /// <summary>
    /// Asks each other gateway's shard for the unresolved clients to let them go (it holds them only
    /// if they were registered there before this partition lost its record). Waits while the
    /// directory itself is too young to know every gateway.
    /// </summary>
    private async Task ResolveUnknownOwnersAsync()
    {
        if (_unresolved.Count == 0) return;
        var gateways = await GrainFactory.GetGrain<IGatewayDirectoryGrain>(0).GetGateways();
        if (!gateways.Complete) return; // the timer tries again
        // Only claims still current: a client claimed since (a move) has had its old owner told already, and
        // asking every other gateway to let go of it now would take it from the one it moved to.
        long now = Monotonic.NowMs();
        var pending = _unresolved.Where(item => _owners.Find(item.Claim.Client, now) is { } owner
            && owner.GatewayId == item.GatewayId && owner.ClaimId == item.Claim.ClaimId).ToList();
        _unresolved = [];
        foreach (var gateway in gateways.Gateways)
        {
            var others = pending.Where(item => item.GatewayId != gateway.GatewayId).Select(item => item.Claim.Client);
            foreach (var group in others.GroupBy(client => client.ShardOf(gateway.ShardsPerGateway)))
            {
                var removals = group.Select(client => new ShardRemoval(client, long.MaxValue, RemovalReason.Moved)).ToArray();
                Shard(gateway.GatewayId, group.Key).Leave(removals).FireAndForget(logger, $"asking {gateway.GatewayId}/{group.Key} to let go of clients registered before a partition restart");
            }
        }
    }

    private IPingShardGrain Shard(string gatewayId, int index) => GrainFactory.GetGrain<IPingShardGrain>(ShardKey.Format(gatewayId, index));

    private async Task Tick()
    {
        if (++_ticks % 5 == this.GetPrimaryKeyLong() % 5 && home.IsAway(this)) MigrateOnIdle();
        if (_unresolved.Count > 0) await ResolveUnknownOwnersAsync();
    }

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext context)
    {
        long now = Monotonic.NowMs();
        var all = _owners.All(now);
        context.TryAddValue("partition", new ClientPartitionState(
            [.. all.Select(entry => entry.Client)],
            [.. all.Select(entry => entry.Owner)],
            Recovering ? (int)Math.Min(int.MaxValue, now - _recoveringSinceMs) : -1,
            _longestTtlMs));
    }

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext context)
    {
        if (!context.TryGetValue("partition", out ClientPartitionState? state) || state is null) return;
        long now = Monotonic.NowMs();
        for (int i = 0; i < state.Clients.Length; i++) _owners.Restore(state.Clients[i], state.Owners[i], now);
        _longestTtlMs = state.LongestTtlMs;
        _recovering = state.RecoveringForMs >= 0;
        _recoveringSinceMs = Math.Max(0, state.RecoveringForMs); // turned into a time by OnActivateAsync
    }
}
