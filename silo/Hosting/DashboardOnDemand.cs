using Orleans.Dashboard;

namespace TixTrigger.Silo.Hosting;

/// <summary>
/// Maps the Orleans Dashboard's pages on the first request under its prefix. Mapping them builds
/// the dashboard's asset cache, its whole embedded app gzipped in memory (~50 MiB of RSS on an idle
/// single node), which a node nobody looks at should not carry.
/// </summary>
public static class DashboardOnDemand
{
    /// <summary>Put after authentication and authorization: the fallback policy (DASHBOARD_PASSWORD) already applies to these requests.</summary>
    public static WebApplication UseDashboardOnDemand(this WebApplication app, string prefix)
    {
        var pipeline = new Lazy<RequestDelegate>(() => Build(app, prefix), LazyThreadSafetyMode.ExecutionAndPublication);
        app.Use((context, next) =>
            context.GetEndpoint() is null && context.Request.Path.StartsWithSegments(prefix) ? pipeline.Value(context) : next(context));
        return app;
    }

    private static RequestDelegate Build(WebApplication app, string prefix)
    {
        // A branch of a WebApplication routes over its own endpoints, not the app's.
        var branch = ((IApplicationBuilder)app).New();
        branch.UseRouting();
        branch.UseEndpoints(endpoints => endpoints.MapOrleansDashboard(routePrefix: prefix));
        return branch.Build();
    }
}
