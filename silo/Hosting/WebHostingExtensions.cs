using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using TixTrigger.Hosting;
using TixTrigger.Settings;
using TixTrigger.Silo.Status;

namespace TixTrigger.Silo.Hosting;

public static partial class WebHostingExtensions
{
    /// <summary>Kestrel serves the dashboard, the status page, the probes and /metrics on DASHBOARD_PORT, and nothing else.</summary>
    public static IWebHostBuilder ListenForDashboard(this IWebHostBuilder web, NodeOptions node, DashboardAccessOptions access) =>
        web.ConfigureKestrel(kestrel =>
        {
            var address = DashboardAddress(node, access);
            if (address is null) kestrel.ListenLocalhost(node.DashboardPort);
            else if (address.Equals(IPAddress.IPv6Any)) kestrel.ListenAnyIP(node.DashboardPort);
            else kestrel.Listen(address, node.DashboardPort);
        });

    /// <summary>DASHBOARD_PORT where <see cref="ListenForDashboard"/> binds it, for the check before anything starts.</summary>
    public static ListenPorts Dashboard(this ListenPorts ports, NodeOptions node, DashboardAccessOptions access) =>
        DashboardAddress(node, access) is { } address
            ? ports.Tcp("DASHBOARD_PORT", node.DashboardPort, address, "DASHBOARD_LISTEN_IP")
            : ports.Tcp("DASHBOARD_PORT", node.DashboardPort, IPAddress.Loopback).Tcp("DASHBOARD_PORT", node.DashboardPort, IPAddress.IPv6Loopback);

    /// <summary>Where DASHBOARD_PORT listens (<see cref="DashboardAccessOptions.ListenIP"/>): null is localhost, <see cref="IPAddress.IPv6Any"/> every interface.</summary>
    private static IPAddress? DashboardAddress(NodeOptions node, DashboardAccessOptions access) =>
        access.ListenIP ?? (node.IsClustered ? IPAddress.IPv6Any : null);

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

    /// <summary>Runs the silo, with a start-up line saying how it is clustered and where its pages are, and who can open them.</summary>
    public static async Task<int> RunUntilStoppedAsync(this WebApplication app, NodeOptions node, DashboardAccessOptions access)
    {
        var address = DashboardAddress(node, access);
        bool local = address is null || IPAddress.IsLoopback(address);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            LogSiloUp(
                app.Logger,
                node.IsClustered ? $"cluster {node.ClusterId} with Redis membership, Orleans ports on {node.ListenIP ?? node.AdvertisedIP}{(node.TlsCertificate is null ? "" : " with TLS")}" : "single node (localhost clustering, UDP gateway in this process)",
                node.SiloPort, node.OrleansGatewayPort,
                $"status on {StatusUrl(node, address)}, dashboard on /dashboard ({Exposure(local, access)})");
            // Asked for by name, so said loudly: the pages show every client's address.
            if (!local && !access.RequiresLogin && access.ListenIP is { } open) LogOpenDashboard(app.Logger, open, node.DashboardPort);
        });
        return await app.RunOrExplainAsync("silo", $"PORT, ORLEANS_SILO_PORT={node.SiloPort}, ORLEANS_GATEWAY_PORT={node.OrleansGatewayPort}, DASHBOARD_PORT={node.DashboardPort}");
    }

    /// <summary>The status page as a browser opens it: not a wildcard address, but the advertised one or localhost; IPv6 in brackets.</summary>
    private static string StatusUrl(NodeOptions node, IPAddress? address)
    {
        var host = address is null ? null : address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? node.AdvertisedIP : address;
        string name = host is null ? "localhost" : host.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host.ToString();
        return $"http://{name}:{node.DashboardPort}/status";
    }

    private static string Exposure(bool local, DashboardAccessOptions access) => (local, access.RequiresLogin) switch
    {
        (true, false) => "this machine only",
        (true, true) => "this machine only, login required",
        (false, true) => "every host that reaches it, login required",
        (false, false) => "every host that reaches it, no password",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "TixTrigger silo up: {Mode}, silo port {SiloPort}, Orleans gateway port {GatewayPort}, {Pages}")]
    private static partial void LogSiloUp(ILogger logger, string mode, int siloPort, int gatewayPort, string pages);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DASHBOARD_LISTEN_IP={Address} without DASHBOARD_PASSWORD: the status page and dashboard, which show client addresses, are open to every host that reaches port {Port}")]
    private static partial void LogOpenDashboard(ILogger logger, IPAddress address, int port);
}
