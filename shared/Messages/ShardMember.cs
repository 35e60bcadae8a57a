using TixTrigger.Endpoints;

namespace TixTrigger.Messages;

/// <summary>
/// One client as its shard and its gateway know it: where to ping, which local address the
/// ping must leave from, and until when (Unix milliseconds, set by the gateway that received
/// the heartbeat, so expiry is measured from the moment the heartbeat arrived).
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.shard-member")]
public readonly record struct ShardMember(
    [property: Id(0)] ClientEndpoint Client,
    [property: Id(1)] PackedAddress Local,
    [property: Id(2)] long DeadlineUnixMs);
