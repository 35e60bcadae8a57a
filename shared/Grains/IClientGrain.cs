using TixTrigger.Messages;

namespace TixTrigger.Grains;

/// <summary>
/// One per client endpoint (key: <c>ClientEndpoint.ToString()</c>). The authority on which
/// gateway and shard own the client: a heartbeat through another gateway moves it there.
/// </summary>
[Alias("tix.IClientGrain")]
public interface IClientGrain : IGrainWithStringKey
{
    /// <summary>Registers or refreshes the client; returns the membership its shard now holds.</summary>
    [Alias("Heartbeat")]
    Task<ShardMember> Heartbeat(Heartbeat heartbeat);

    [Alias("GetInfo")]
    Task<ClientInfo> GetInfo();
}
