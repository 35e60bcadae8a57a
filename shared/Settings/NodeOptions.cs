using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace TixTrigger.Settings;

/// <summary>How a node joins the cluster: Redis membership when <c>REDIS_CONNECTION</c> is set, else a single localhost node.</summary>
public sealed class NodeOptions
{
    /// <summary>Ports of a single-node silo: not Orleans' 11111/30000, so it never collides with a clustered silo on the same machine.</summary>
    public const int SingleNodeSiloPort = 11112;
    public const int SingleNodeGatewayPort = 30001;
    public const int ClusterSiloPort = 11111;
    public const int ClusterGatewayPort = 30000;

    public string? RedisConnection { get; set; }
    public bool IsClustered => RedisConnection is not null;
    public string ClusterId { get; set; } = "tixtrigger";
    public string ServiceId { get; set; } = "tixtrigger";
    public IPAddress? AdvertisedIP { get; set; }
    public int SiloPort { get; set; } = SingleNodeSiloPort;
    public int OrleansGatewayPort { get; set; } = SingleNodeGatewayPort;
    public int DashboardPort { get; set; } = 8080;
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    public static NodeOptions FromConfiguration(IConfiguration configuration)
    {
        var read = new SettingReader(configuration);
        string? redis = read.OptionalString("REDIS_CONNECTION");
        bool clustered = redis is not null;
        return new NodeOptions
        {
            LogLevel = read.LogLevel("LOG_LEVEL", LogLevel.Information),
            RedisConnection = redis,
            ClusterId = read.Identifier("CLUSTER_ID", "tixtrigger"),
            ServiceId = read.Identifier("SERVICE_ID", "tixtrigger"),
            AdvertisedIP = read.AdvertisedAddress("ADVERTISED_IP"),
            SiloPort = read.Port("ORLEANS_SILO_PORT", clustered ? ClusterSiloPort : SingleNodeSiloPort),
            OrleansGatewayPort = read.Port("ORLEANS_GATEWAY_PORT", clustered ? ClusterGatewayPort : SingleNodeGatewayPort),
            DashboardPort = read.Port("DASHBOARD_PORT", 8080),
        };
    }
}
