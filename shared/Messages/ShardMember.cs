using TixTrigger.Endpoints;

namespace TixTrigger.Messages;

/// <summary>
/// One client as a shard and its gateway know it: where to ping, which local address the ping
/// must leave from, for how much longer (a TTL read against the receiver's own monotonic clock),
/// and the claim that registered it (see <see cref="ClaimId"/>).
/// </summary>
/// <param name="ClaimId">
/// Set by the gateway each time it registers the client with the cluster, increasing per gateway.
/// A removal names the claim it is about, so a late one cannot remove a client that has
/// registered again since.
/// </param>
[GenerateSerializer, Immutable, Alias("tix.shard-member")]
public readonly record struct ShardMember(
    [property: Id(0)] ClientEndpoint Client,
    [property: Id(1)] PackedAddress Local,
    [property: Id(2)] int TtlMs,
    [property: Id(3)] long ClaimId);
