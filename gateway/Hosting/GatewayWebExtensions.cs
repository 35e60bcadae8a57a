using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using TixTrigger.Hosting;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Hosting;

public static class GatewayWebExtensions
{
    /// <summary>Kestrel serves /metrics, /healthz and /readyz on METRICS_PORT, on every interface so that Prometheus and probes reach it; nothing else.</summary>
    public static IWebHostBuilder ListenForProbes(this IWebHostBuilder web, NodeOptions node) =>
        web.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(node.MetricsPort));

    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        app.MapProbes();
        app.MapMetrics();
        return app;
    }
}
