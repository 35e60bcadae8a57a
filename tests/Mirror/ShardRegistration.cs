using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Status;

namespace TixTrigger.Tests.Mirror;

/// <summary>Whether the cluster has taken a client's current claim, read as the status page's lookup reads it.</summary>
internal static class ShardRegistration
{
    public static bool IsRegistered(this MirrorShard shard, ClientEndpoint client)
    {
        var found = new List<PhoneAtGateway>(1);
        shard.LookUp(new PhoneQuery(client.Address, client.Port), Time.Monotonic.NowMs(), found, limit: 1);
        return found is [{ Registration: "registered" }];
    }
}
