using TixTrigger.Status;

namespace TixTrigger.Grains;

/// <summary>
/// The gateways' latest reports, for the status page (key 0). Soft state: a report that is not
/// renewed expires, so a gateway that stopped disappears, and a reactivated grain is whole again
/// after one report interval.
/// </summary>
[Alias("tix.IGatewayStatusGrain")]
public interface IGatewayStatusGrain : IGrainWithIntegerKey
{
    [Alias("Report")]
    Task Report(GatewayReport report);

    /// <summary>Reports renewed within the expiry, each with its age.</summary>
    [Alias("GetReports")]
    Task<GatewayReportAge[]> GetReports();
}

[GenerateSerializer, Immutable, Alias("tix.gateway-report-age")]
public readonly record struct GatewayReportAge(
    [property: Id(0)] GatewayReport Report,
    [property: Id(1)] double AgeSeconds);
