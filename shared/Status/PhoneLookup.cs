using TixTrigger.Endpoints;

namespace TixTrigger.Status;

/// <summary>An operator's question "is this phone woken?": one address, and optionally one port of it.</summary>
[GenerateSerializer, Immutable, Alias("tix.phone-query")]
public sealed record PhoneQuery(
    [property: Id(0)] PackedAddress Address,
    [property: Id(1)] ushort? Port)
{
    /// <summary>At most this many clients (and as many refused sources) of one address come back from one gateway: an address may hold thousands.</summary>
    public const int MaxResults = 64;

    public bool Matches(ClientEndpoint client) => client.Address == Address && (Port is null || client.Port == Port);
}

/// <summary>
/// One client as the gateway that pings it knows it. Times are ages and TTLs in milliseconds, read
/// against the gateway's own monotonic clock when it answered (time crosses processes as durations).
/// </summary>
/// <param name="SinceAgeMs">How long ago this gateway took the client (its first heartbeat here, or a snapshot that handed it back).</param>
/// <param name="LastHeardAgeMs">How long ago its latest datagram arrived (refreshing it or not).</param>
/// <param name="DeadlineTtlMs">Until its pings end; negative once the deadline has passed (it lingers, unpinged).</param>
/// <param name="Registration">Where its claim stands with the cluster: <c>registered</c>, <c>claim queued</c>, <c>claim in flight</c>.</param>
/// <param name="Flags">Rules that hold it now: <c>budget pending</c> (the per-network budget has not confirmed it), <c>lapsed</c>.</param>
/// <param name="EchoRule">The echo rule's view of it: <c>watching</c>, <c>testing</c>, <c>cooling</c>, <c>echo</c>, <c>trigger</c>.</param>
[GenerateSerializer, Immutable, Alias("tix.phone-at-gateway")]
public sealed record PhoneAtGateway(
    [property: Id(0)] ClientEndpoint Client,
    [property: Id(1)] PackedAddress Local,
    [property: Id(2)] int ShardIndex,
    [property: Id(3)] int Slot,
    [property: Id(4)] long SinceAgeMs,
    [property: Id(5)] long LastHeardAgeMs,
    [property: Id(6)] long DeadlineTtlMs,
    [property: Id(7)] long PingsSent,
    [property: Id(8)] long ClaimId,
    [property: Id(9)] string Registration,
    [property: Id(10)] string[] Flags,
    [property: Id(11)] string EchoRule);

/// <summary>A source a gateway refused recently, for one reason (a drop reason, as in <c>tixtrigger_drops_total</c>).</summary>
[GenerateSerializer, Immutable, Alias("tix.refused-source")]
public sealed record RefusedSource(
    [property: Id(0)] ClientEndpoint Client,
    [property: Id(1)] string Reason,
    [property: Id(2)] long Count,
    [property: Id(3)] long FirstAgeMs,
    [property: Id(4)] long LastAgeMs);

/// <summary>
/// One gateway's answer to a <see cref="PhoneQuery"/>: its clients that match and the matching
/// sources it refused lately. <see cref="Truncated"/> when there were more than <see cref="PhoneQuery.MaxResults"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-lookup-reply")]
public sealed record GatewayLookupReply(
    [property: Id(0)] string GatewayId,
    [property: Id(1)] string UdpEndpoint,
    [property: Id(2)] PhoneAtGateway[] Phones,
    [property: Id(3)] RefusedSource[] Refusals,
    [property: Id(4)] bool Truncated);

/// <summary>
/// A gateway, as the status page asks it about one phone. An observer: the silo reaches a gateway
/// (an Orleans client, perhaps behind NAT) through the reference the gateway sends with its reports.
/// </summary>
[Alias("tix.IGatewayLookup")]
public interface IGatewayLookup : IGrainObserver
{
    [Alias("LookUp")]
    Task<GatewayLookupReply> LookUp(PhoneQuery query);
}
