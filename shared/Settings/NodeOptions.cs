using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace TixTrigger.Settings;

/// <summary>
/// How a node joins the cluster (Redis membership when <c>REDIS_CONNECTION</c> is set, else a single
/// localhost node), how it guards the cluster's ports, and how it reports: logs, HTTP, metrics.
/// </summary>
public sealed class NodeOptions
{
    /// <summary>
    /// Ports of a single-node silo: not Orleans' 11111/30000, so it never collides with a clustered silo on the same machine.
    /// An Orleans gateway port is where Orleans clients (our standalone UDP gateways) connect to a silo.
    /// </summary>
    public const int SingleNodeSiloPort = 11112;
    public const int SingleNodeOrleansGatewayPort = 30001;
    public const int ClusterSiloPort = 11111;
    public const int ClusterOrleansGatewayPort = 30000;

    public string? RedisConnection { get; set; }
    public bool IsClustered => RedisConnection is not null;
    public string ClusterId { get; set; } = "tixtrigger";
    public string ServiceId { get; set; } = "tixtrigger";
    public IPAddress? AdvertisedIP { get; set; }
    public int SiloPort { get; set; } = SingleNodeSiloPort;
    public int OrleansGatewayPort { get; set; } = SingleNodeOrleansGatewayPort;
    public int DashboardPort { get; set; } = 8080;
    public LogLevel LogLevel { get; set; } = LogLevel.Information;
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    /// <summary><c>METRICS_PORT</c>: a standalone gateway's HTTP port for /metrics, /healthz and /readyz (a silo uses DASHBOARD_PORT).</summary>
    public int MetricsPort { get; set; } = 9464;

    /// <summary><c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: where to push metrics over OTLP as well, if set.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>
    /// <c>ORLEANS_LISTEN_IP</c>: where a clustered silo binds its Orleans ports. By default the advertised
    /// address only, so that the silo port is not reachable on interfaces the cluster does not use.
    /// </summary>
    public IPAddress? ListenIP { get; set; }

    /// <summary><c>ORLEANS_TLS_CERTIFICATE</c>: when set, every connection between nodes is TLS, and only nodes with this certificate (or one the system trusts) may join.</summary>
    public X509Certificate2? TlsCertificate { get; set; }

    public static NodeOptions FromConfiguration(IConfiguration configuration)
    {
        var read = new SettingReader(configuration);
        string? redis = read.OptionalString("REDIS_CONNECTION");
        bool clustered = redis is not null;
        return new NodeOptions
        {
            LogLevel = read.Level("LOG_LEVEL", LogLevel.Information),
            RedisConnection = redis,
            ClusterId = read.Identifier("CLUSTER_ID", "tixtrigger"),
            ServiceId = read.Identifier("SERVICE_ID", "tixtrigger"),
            AdvertisedIP = read.AdvertisedAddress("ADVERTISED_IP"),
            SiloPort = read.Port("ORLEANS_SILO_PORT", clustered ? ClusterSiloPort : SingleNodeSiloPort),
            OrleansGatewayPort = read.Port("ORLEANS_GATEWAY_PORT", clustered ? ClusterOrleansGatewayPort : SingleNodeOrleansGatewayPort),
            DashboardPort = read.Port("DASHBOARD_PORT", 8080),
            MetricsPort = read.Port("METRICS_PORT", 9464),
            LogFormat = read.Choice("LOG_FORMAT", LogFormat.Text),
            OtlpEndpoint = read.OptionalHttpUri("OTEL_EXPORTER_OTLP_ENDPOINT"),
            ListenIP = read.OptionalString("ORLEANS_LISTEN_IP") is null ? null : read.Address("ORLEANS_LISTEN_IP", "0.0.0.0"),
            TlsCertificate = CertificateSetting.Read(read, "ORLEANS_TLS_CERTIFICATE", "ORLEANS_TLS_CERTIFICATE_PASSWORD"),
        };
    }
}
