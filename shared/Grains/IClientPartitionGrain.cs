using TixTrigger.Endpoints;
using TixTrigger.Messages;

namespace TixTrigger.Grains;

/// <summary>
/// The client grains, partitioned: <see cref="ClientPartitions.Count"/> of them spread over the
/// silos, each the authority on which gateway shard owns each of its clients. A claim through
/// another gateway (or shard) moves the client: the old shard is told to let it go. Only claims
/// (new clients and moves) and releases (expiries) reach it, never refreshes.
/// </summary>
[Alias("tix.IClientPartitionGrain")]
public interface IClientPartitionGrain : IGrainWithIntegerKey
{
    [Alias("Claim")]
    Task Claim(string gatewayId, ClientClaim[] claims);

    /// <summary>A shard expired these members: forget their owner, unless a later claim replaced it.</summary>
    [Alias("Release")]
    Task Release(string gatewayId, int shardIndex, ShardRemoval[] expired);

    [Alias("GetOwner")]
    Task<ClientOwner?> GetOwner(ClientEndpoint client);
}
