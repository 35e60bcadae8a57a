using Orleans.Concurrency;
using TixTrigger.Messages;

namespace TixTrigger.Grains;

/// <summary>A gateway, as its shards see it.</summary>
[Alias("tix.IGatewayObserver")]
public interface IGatewayObserver : IGrainObserver
{
    /// <summary>
    /// One way: a shard must never wait on a gateway that may be dead. Lost ticks are detected
    /// by their sequence numbers.
    /// </summary>
    [OneWay, Alias("OnTick")]
    Task OnTick(ShardTick tick);
}
