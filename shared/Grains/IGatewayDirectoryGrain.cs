using TixTrigger.Messages;

namespace TixTrigger.Grains;

/// <summary>The gateways alive in the cluster (key 0), from their announcements every few seconds.</summary>
[Alias("tix.IGatewayDirectoryGrain")]
public interface IGatewayDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Announce")]
    Task Announce(GatewayAnnouncement announcement);

    /// <summary>The gateways heard from recently, and whether the directory is old enough to have heard from all of them.</summary>
    [Alias("GetGateways")]
    Task<GatewayList> GetGateways();
}
