using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using TixTrigger.Hosting;
using TixTrigger.Settings;
using TixTrigger.Silo.Status;

namespace TixTrigger.Silo.Hosting;

public static partial class WebHostingExtensions
{
    /// <summary>Kestrel serves the dashboard, the status page, the probes and /metrics on DASHBOARD_PORT, and nothing else.</summary>
    public static IWebHostBuilder ListenForDashboard(this IWebHostBuilder web, NodeOptions node) =>
        web.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(node.DashboardPort));

    /// <summary>
    /// With DASHBOARD_PASSWORD, every page needs basic authentication except the probes and
    /// /metrics, which opt out: what is added later is protected unless it says otherwise.
    /// </summary>
    public static IServiceCollection AddDashboardAccess(this IServiceCollection services, DashboardAccessOptions access)
    {
        services.AddSingleton(access);
        services.AddHealthChecks().AddCheck<ActiveMemberCheck>("membership", tags: [ProbeEndpoints.Ready]);
        services.AddAuthentication(BasicAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, null);
        // Basic authentication protects nothing with Data Protection, whose hosted service would still
        // load (and watch) a key ring at start-up: the XML stack alone is ~3.5 MiB of an idle node's RSS.
        var keyRingLoader = services.FirstOrDefault(descriptor => descriptor.ServiceType == typeof(IHostedService)
            && descriptor.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService");
        if (keyRingLoader is not null) services.Remove(keyRingLoader);
        services.AddAuthorization(options =>
        {
            if (access.RequiresLogin) options.FallbackPolicy = new AuthorizationPolicyBuilder(BasicAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build();
        });
        return services;
    }

    public static WebApplication MapSiloEndpoints(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapProbes();
        app.MapMetrics();
        app.UseDashboardOnDemand("/dashboard");
        app.MapGet("/", () => Results.Redirect("/status"));
        app.MapGet("/status.json", (IGrainFactory grains, ILocalSiloDetails silo) => StatusReport.GatherAsync(grains, silo));
        app.MapGet("/status", async (IGrainFactory grains, ILocalSiloDetails silo, string? ip, string? port) =>
            Results.Content(StatusPage.Render(await StatusReport.GatherAsync(grains, silo), await PhoneLookupEndpoints.SectionAsync(grains, silo, ip, port)), "text/html; charset=utf-8"));
        app.MapGet("/status/clients", PhoneLookupEndpoints.JsonAsync);
        return app;
    }

    /// <summary>Runs the silo, with a start-up line saying how it is clustered and where its pages are.</summary>
    public static async Task<int> RunUntilStoppedAsync(this WebApplication app, NodeOptions node, DashboardAccessOptions access)
    {
        app.Lifetime.ApplicationStarted.Register(() => LogSiloUp(
            app.Logger,
            node.IsClustered ? $"cluster {node.ClusterId} with Redis membership, Orleans ports on {node.ListenIP ?? node.AdvertisedIP}{(node.TlsCertificate is null ? "" : " with TLS")}" : "single node (localhost clustering, UDP gateway in this process)",
            node.SiloPort, node.OrleansGatewayPort,
            $"status on http://0.0.0.0:{node.DashboardPort}/status, dashboard on /dashboard{(access.RequiresLogin ? " (login required)" : "")}"));
        return await app.RunOrExplainAsync("silo", $"PORT, ORLEANS_SILO_PORT={node.SiloPort}, ORLEANS_GATEWAY_PORT={node.OrleansGatewayPort}, DASHBOARD_PORT={node.DashboardPort}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TixTrigger silo up: {Mode}, silo port {SiloPort}, Orleans gateway port {GatewayPort}, {Pages}")]
    private static partial void LogSiloUp(ILogger logger, string mode, int siloPort, int gatewayPort, string pages);
}
