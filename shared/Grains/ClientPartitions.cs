using TixTrigger.Endpoints;

namespace TixTrigger.Grains;

/// <summary>How clients are spread over the <see cref="IClientPartitionGrain"/>s: the same in every process.</summary>
public static class ClientPartitions
{
    /// <summary>
    /// Enough to spread over many silos and keep each partition's batches small; few enough that a
    /// gateway's batch of new clients costs a handful of calls.
    /// </summary>
    public const int Count = 64;

    // The high half of the hash: independent of the low bits that pick the shard.
    public static int Of(ClientEndpoint client) => (int)((client.StableHash() >> 32) % Count);
}
