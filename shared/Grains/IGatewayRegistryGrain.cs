using TixTrigger.Messages;
using TixTrigger.Status;

namespace TixTrigger.Grains;

/// <summary>
/// The cluster's gateways (key 0), as each announces itself every announcement interval: where its
/// UDP socket listens (no gateway registers another as a client) and what it reports to the status
/// page. Soft state: a gateway silent for <see cref="Protocol.ClusterTiming.GatewayGoneAfterMs"/> is
/// forgotten, and a new activation is whole again within one announcement interval.
/// </summary>
[Alias("tix.IGatewayRegistryGrain")]
public interface IGatewayRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Records the gateway; returns where every gateway heard from (this one included) listens.</summary>
    [Alias("Announce")]
    Task<GatewayUdpEndpoints[]> Announce(GatewayAnnouncement announcement);

    /// <summary>
    /// The gateway listens nowhere any more, so the others stop refusing its port (a client on its
    /// host may get it next). Its report is shown until it expires, as a silent gateway's would be.
    /// </summary>
    [Alias("Stopped")]
    Task Stopped(string gatewayId);

    /// <summary>The reports of the gateways heard from, each with its age, for the status page.</summary>
    [Alias("GetReports")]
    Task<GatewayReportAge[]> GetReports();
}
