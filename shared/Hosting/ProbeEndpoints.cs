using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TixTrigger.Hosting;

/// <summary>
/// <c>/healthz</c> answers whether the process should be restarted (liveness: its own loops run;
/// never asks Redis or another node, so an outage elsewhere cannot restart every node in a loop).
/// <c>/readyz</c> answers whether it does its job now (readiness: a silo is an active member; a
/// gateway has its UDP port and a connection to the cluster). Both list their checks in plain text.
/// </summary>
public static class ProbeEndpoints
{
    /// <summary>Tag of the checks that decide liveness (readiness includes them).</summary>
    public const string Live = "live";

    /// <summary>Tag of the checks that decide readiness only.</summary>
    public const string Ready = "ready";

    /// <summary>Runs every check every few seconds for <c>tixtrigger_live</c> and <c>tixtrigger_ready</c>.</summary>
    public static IServiceCollection AddProbeMetrics(this IServiceCollection services)
    {
        services.AddSingleton<IHealthCheckPublisher, ProbeMetrics>();
        services.Configure<HealthCheckPublisherOptions>(options =>
        {
            options.Delay = TimeSpan.FromSeconds(1);
            options.Period = TimeSpan.FromSeconds(5);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapProbes(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", Options(check => check.Tags.Contains(Live))).AllowAnonymous();
        app.MapHealthChecks("/readyz", Options(check => check.Tags.Contains(Live) || check.Tags.Contains(Ready))).AllowAnonymous();
        return app;
    }

    private static HealthCheckOptions Options(Func<HealthCheckRegistration, bool> predicate) => new()
    {
        Predicate = predicate,
        ResponseWriter = WriteAsync,
    };

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var text = new StringBuilder(report.Status.ToString()).Append('\n');
        foreach (var (name, entry) in report.Entries)
        {
            text.Append(name).Append(": ").Append(entry.Status).Append(entry.Description is { } why ? $" ({why})" : "").Append('\n');
        }
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString());
    }
}
