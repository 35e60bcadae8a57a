using TixTrigger.Endpoints;
using TixTrigger.Status;
using TixTrigger.Time;

namespace TixTrigger.Gateway.Status;

/// <summary>
/// Answers the status page's lookup of one phone from this gateway's own state: the mirror's
/// entries of the address (which shard and slot, since when, last heard, deadline, pings, claim,
/// the echo rule) and the sources it refused lately (<see cref="RecentRefusals"/>).
/// </summary>
internal sealed class GatewayLookupResponder(UdpGateway gateway) : IGatewayLookup
{
    public Task<GatewayLookupReply> LookUp(PhoneQuery query)
    {
        var mirror = gateway.Mirror;
        long now = Monotonic.NowMs();
        // One more than shown: says whether there were more.
        int limit = PhoneQuery.MaxResults + 1;
        var phones = new List<PhoneAtGateway>();
        if (query.Port is { } port)
        {
            mirror.ShardOf(new ClientEndpoint(query.Address, port)).LookUp(query, now, phones, limit);
        }
        else
        {
            foreach (var shard in mirror.Shards) shard.LookUp(query, now, phones, limit);
        }
        var refusals = mirror.Context.Refusals.Find(query, now, limit);
        bool truncated = phones.Count == limit || refusals.Count == limit;
        return Task.FromResult(new GatewayLookupReply(
            gateway.Metrics.GatewayId,
            gateway.LocalEndpoint.ToString(),
            [.. phones.OrderBy(phone => phone.Client.Port).Take(PhoneQuery.MaxResults)],
            [.. refusals.Take(PhoneQuery.MaxResults)],
            truncated));
    }
}
