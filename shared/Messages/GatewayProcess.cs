namespace TixTrigger.Messages;

/// <summary>
/// The gateway process behind an attach: which process (<see cref="Instance"/>, new at every
/// start), where it listens (<see cref="Endpoint"/>: host name, bind address and UDP port), the
/// claim epoch the cluster granted it (0 before the grant) and how far its shards' deadlines may
/// lag its own. One GATEWAY_ID is served by one process at a time; see <see cref="AttachReply"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-process")]
public sealed record GatewayProcess(
    [property: Id(0)] Guid Instance,
    [property: Id(1)] string Endpoint,
    [property: Id(2)] long ClaimEpoch,
    [property: Id(3)] int RefreshLagMs);

/// <summary>The process that holds a GATEWAY_ID, as a refused attach names it.</summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-holder")]
public sealed record GatewayHolder(
    [property: Id(0)] string Endpoint,
    [property: Id(1)] int SilentForMs);

/// <summary>
/// A shard's answer to an attach: where its ticks stand, and either the claim epoch the process
/// holds the GATEWAY_ID under, or (<see cref="RefusedFor"/>) the live process that holds it.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.attach-reply")]
public sealed record AttachReply(
    [property: Id(0)] ShardStatus Status,
    [property: Id(1)] long ClaimEpoch,
    [property: Id(2)] GatewayHolder? RefusedFor);
