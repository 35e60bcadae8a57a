using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using TixTrigger.Gateway.Handover;
using TixTrigger.Hosting;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Hosting;

public static class GatewayWebExtensions
{
    /// <summary>Kestrel serves /metrics, /healthz and /readyz on METRICS_PORT, on every interface so that Prometheus and probes reach it; nothing else.</summary>
    public static IWebHostBuilder ListenForProbes(this IWebHostBuilder web, NodeOptions node) =>
        web.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(node.MetricsPort));

    /// <summary>
    /// The same on the listening socket this process opened or was handed (<see cref="GatewayHandover.MetricsListener"/>),
    /// so that it can hand it on; read when Kestrel starts, after the hand-over has been prepared.
    /// </summary>
    internal static IWebHostBuilder ListenForProbes(this IWebHostBuilder web, NodeOptions node, GatewayHandover handover) =>
        web.ConfigureKestrel(kestrel =>
        {
            if (OperatingSystem.IsLinux() && handover.MetricsListener is { } listener) kestrel.ListenHandle(MetricsPortListener.DuplicateForKestrel(listener));
            else kestrel.ListenAnyIP(node.MetricsPort);
        });

    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        app.MapProbes();
        app.MapMetrics();
        return app;
    }
}
