using TixTrigger.Hosting;
using Orleans.Dashboard;
using TixTrigger.Settings;

namespace TixTrigger.Silo.Hosting;

public static class WebHostingExtensions
{
    /// <summary>Kestrel serves the dashboard and a health check on DASHBOARD_PORT, and nothing else.</summary>
    public static IWebHostBuilder ListenForDashboard(this IWebHostBuilder web, NodeOptions node) =>
        web.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(node.DashboardPort));

    public static WebApplication MapTixTriggerDashboard(this WebApplication app, NodeOptions node)
    {
        app.MapOrleansDashboard(routePrefix: "/dashboard");
        app.MapGet("/", () => Results.Redirect("/dashboard"));
        // Healthy means a full member of the cluster, not merely a running web server.
        app.MapGet("/healthz", (IClusterMembershipService membership, ILocalSiloDetails silo) =>
        {
            var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
            return status == SiloStatus.Active
                ? Results.Ok("active")
                : Results.Json(status.ToString(), statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    /// <summary>Runs the silo, with a start-up line saying how it is clustered and where its dashboard is.</summary>
    public static async Task<int> RunUntilStoppedAsync(this WebApplication app, NodeOptions node)
    {
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
            "TixTrigger silo up: {Mode}, silo port {SiloPort}, Orleans gateway port {GatewayPort}, {Dashboard}",
            node.IsClustered ? $"cluster {node.ClusterId} with Redis membership" : "single node (localhost clustering, UDP gateway in this process)",
            node.SiloPort, node.OrleansGatewayPort,
            $"dashboard on http://0.0.0.0:{node.DashboardPort}/dashboard"));
        return await app.RunOrExplainAsync($"PORT, ORLEANS_SILO_PORT={node.SiloPort}, ORLEANS_GATEWAY_PORT={node.OrleansGatewayPort}, DASHBOARD_PORT={node.DashboardPort}");
    }
}
