using System.Net.Sockets;
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
        app.MapGet("/healthz", () => Results.Ok("ok"));
        return app;
    }

    /// <summary>Runs the host; a port that cannot be bound ends it with one line, like a bad setting.</summary>
    public static async Task<int> RunUntilStoppedAsync(this WebApplication app, NodeOptions node)
    {
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
            "TixTrigger silo up: {Mode}, silo port {SiloPort}, Orleans gateway port {GatewayPort}, {Dashboard}",
            node.IsClustered ? $"cluster {node.ClusterId} with Redis membership" : "single node (localhost clustering, UDP gateway in this process)",
            node.SiloPort, node.OrleansGatewayPort,
            $"dashboard on http://0.0.0.0:{node.DashboardPort}/dashboard"));
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception error) when (FindSocketError(error) is { } socketError)
        {
            Console.Error.WriteLine($"tixtrigger: cannot start: {socketError.Message} (check PORT, ORLEANS_SILO_PORT, ORLEANS_GATEWAY_PORT, DASHBOARD_PORT={node.DashboardPort})");
            return 1;
        }
    }

    private static SocketException? FindSocketError(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is SocketException socketError) return socketError;
            if (error is AggregateException aggregate) return aggregate.InnerExceptions.Select(FindSocketError).FirstOrDefault(e => e is not null);
        }
        return null;
    }
}
