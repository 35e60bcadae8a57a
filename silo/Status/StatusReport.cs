using TixTrigger.Grains;
using TixTrigger.Status;

namespace TixTrigger.Silo.Status;

/// <summary>What an operator looks at first, as served at <c>/status.json</c> and drawn at <c>/status</c>.</summary>
public sealed record StatusReport(
    string Silo,
    DateTimeOffset GeneratedAt,
    StatusReport.Totals Total,
    GatewayReportAge[] Gateways,
    StatusReport.SiloShards[] Silos)
{
    public sealed record Totals(int Clients, double PingsPerSecond, double LateFraction);

    public sealed record SiloShards(string Address, string Status, int Shards);

    /// <summary>Gateways from their reports; silos and their shard activations from the cluster's management grain.</summary>
    public static async Task<StatusReport> GatherAsync(IGrainFactory grains, ILocalSiloDetails local)
    {
        var gateways = await grains.GetGrain<IGatewayRegistryGrain>(0).GetReports();
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetHosts(onlyActive: true);
        var shards = (await management.GetDetailedGrainStatistics())
            .Where(grain => grain.GrainType.Contains("PingShardGrain", StringComparison.Ordinal))
            .CountBy(grain => grain.SiloAddress)
            .ToDictionary();
        var silos = hosts
            .OrderBy(host => host.Key.ToString(), StringComparer.Ordinal)
            .Select(host => new SiloShards(host.Key.ToString(), host.Value.ToString(), shards.GetValueOrDefault(host.Key)))
            .ToArray();
        double pings = gateways.Sum(g => g.Report.PingsPerSecond);
        double late = pings > 0 ? gateways.Sum(g => g.Report.PingsPerSecond * g.Report.LateFraction) / pings : 0;
        return new StatusReport(local.SiloAddress.ToString(), DateTimeOffset.UtcNow,
            new Totals(gateways.Sum(g => g.Report.Clients), pings, late), gateways, silos);
    }
}
