using TixTrigger.Endpoints;
using TixTrigger.Messages;

namespace TixTrigger.Grains;

/// <summary>
/// <c>WORKER_POOL_SIZE</c> per gateway (key: <see cref="ShardKey"/>). Holds its members and their
/// deadlines; a 1 s grain timer expires them and sends the gateway a <see cref="ShardTick"/>.
/// </summary>
[Alias("tix.IPingShardGrain")]
public interface IPingShardGrain : IGrainWithStringKey
{
    /// <summary>Adds or refreshes a member (a later deadline wins).</summary>
    [Alias("Join")]
    Task<ShardMember> Join(ShardMember member);

    /// <summary>
    /// Removes a member that moved to another shard, unless it has rejoined since: only a member
    /// whose deadline is not later than <paramref name="deadlineUnixMs"/> (the one it had when it moved) goes.
    /// </summary>
    [Alias("Leave")]
    Task Leave(ClientEndpoint client, long deadlineUnixMs);

    /// <summary>
    /// The gateway's periodic announcement: observers are not durable, so it is repeated every
    /// few seconds; it also reactivates a shard lost with its silo.
    /// </summary>
    [Alias("Attach")]
    Task<ShardStatus> Attach(IGatewayObserver gateway);

    [Alias("GetSnapshot")]
    Task<ShardSnapshot> GetSnapshot();

    /// <summary>Merges a gateway's mirror into a shard that lost its state; returns the merged membership.</summary>
    [Alias("Refill")]
    Task<ShardSnapshot> Refill(ShardMember[] members);
}
