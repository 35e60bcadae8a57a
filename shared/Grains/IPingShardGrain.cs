using TixTrigger.Messages;

namespace TixTrigger.Grains;

/// <summary>
/// <c>WORKER_POOL_SIZE</c> per gateway (key: <see cref="ShardKey"/>). Holds one shard of a gateway's
/// clients: the cluster's copy, from which a restarted gateway resumes them and which tells the
/// gateway, in its per-second <see cref="ShardTick"/>, when a client moved away. Its deadlines may
/// lag the gateway's by a bounded amount: refreshes reach it in batches (see <see cref="Refresh"/>).
/// </summary>
[Alias("tix.IPingShardGrain")]
public interface IPingShardGrain : IGrainWithStringKey
{
    /// <summary>
    /// The gateway's periodic announcement: observers are not durable, so it is repeated every few
    /// seconds; it also reactivates a shard lost with its silo. Refused (the observer untouched) when
    /// another live process holds the GATEWAY_ID (see <see cref="AttachReply"/>); shard 0 grants
    /// the process its claim epoch. The process's refresh lag is how far behind the gateway's
    /// deadlines this shard's may be, so that its safety-net expiry waits for them.
    /// </summary>
    [Alias("Attach")]
    Task<AttachReply> Attach(IGatewayObserver gateway, GatewayProcess process);

    /// <summary>Adds newly claimed members (or renews them); never re-adds a member that moved away under a later claim.</summary>
    [Alias("Join")]
    Task Join(ShardMember[] members);

    /// <summary>Extends the deadlines of members it holds; adds none (a refresh may be older than a move).</summary>
    [Alias("Refresh")]
    Task Refresh(ShardMember[] members);

    /// <summary>Members that moved to another gateway or shard: removed, and told to the gateway in the next tick.</summary>
    [Alias("Leave")]
    Task Leave(ShardRemoval[] departures);

    /// <summary>One member as this shard holds it (its deadline may lag the gateway's by the refresh lag), for the status page's lookup.</summary>
    [Alias("GetMember")]
    Task<ShardMember?> GetMember(Endpoints.ClientEndpoint client);

    [Alias("GetSnapshot")]
    Task<ShardSnapshot> GetSnapshot();

    /// <summary>A gateway's whole view of this shard, merged into a shard that lost its state.</summary>
    [Alias("Refill")]
    Task<ShardStatus> Refill(ShardMember[] members);
}
