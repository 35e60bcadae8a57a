using TixTrigger.Endpoints;
using TixTrigger.Messages;

namespace TixTrigger.Grains;

/// <summary>
/// The client grains, partitioned: <see cref="ClientPartitions.Count"/> of them spread over the
/// silos, each the authority on which gateway shard owns each of its clients. A claim through
/// another gateway (or shard) moves the client: the old shard is told to let it go. Only claims
/// (new clients, moves, and claims again after it lost its owners) and releases (expiries) reach
/// it, never refreshes. Its epoch changes when it comes back without its owners (a crash, a
/// collection): a gateway that sees a new epoch claims again every live client it holds here.
/// </summary>
[Alias("tix.IClientPartitionGrain")]
public interface IClientPartitionGrain : IGrainWithIntegerKey
{
    /// <summary>Records the claims (moving clients claimed through another gateway shard); returns the partition's epoch.</summary>
    [Alias("Claim")]
    Task<Guid> Claim(string gatewayId, ClientClaim[] claims);

    /// <summary>The partition's epoch, asked by every gateway every announcement interval (which also keeps the partition active).</summary>
    [Alias("Watch")]
    Task<Guid> Watch();

    /// <summary>A shard expired these members: forget their owner, unless a later claim replaced it.</summary>
    [Alias("Release")]
    Task Release(string gatewayId, int shardIndex, ShardRemoval[] expired);

    /// <summary>Who owns one client now, for the status page's phone lookup.</summary>
    [Alias("GetOwner")]
    Task<ClientOwner?> GetOwner(ClientEndpoint client);
}
