using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using TixTrigger.Settings;

namespace TixTrigger.Hosting;

public static class TelemetryHostingExtensions
{
    /// <summary>The service's own meters (<c>TixTrigger.Gateway</c>, <c>TixTrigger.Silo</c>).</summary>
    public const string ServiceMeters = "TixTrigger.*";

    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>
    /// Exports the service's meters, Orleans', the runtime's and the process's: scraped from
    /// <c>/metrics</c>, and pushed over OTLP too when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set
    /// (the exporter reads it, and the other <c>OTEL_*</c> variables, itself).
    /// </summary>
    public static IServiceCollection AddTixTriggerMetrics(this IServiceCollection services, NodeOptions node, string serviceName, string instanceId)
    {
        services.AddProbeMetrics();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: instanceId))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ServiceMeters, OrleansMeter)
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddPrometheusExporter();
                if (node.OtlpEndpoint is not null) metrics.AddOtlpExporter();
            });
        return services;
    }

    /// <summary><c>/metrics</c> in Prometheus' text format. Open to anyone who can reach the port, like the probes.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return app;
    }
}
