using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TixTrigger.Hosting;

/// <summary>
/// The probes' answers as metrics, <c>tixtrigger_live</c> and <c>tixtrigger_ready</c> (1 or 0), so
/// that Prometheus can alert on a node that is up but not ready. The health-check publisher runs
/// every check every few seconds and hands the report here.
/// </summary>
internal sealed class ProbeMetrics : IHealthCheckPublisher, IDisposable
{
    private readonly Meter _meter = new("TixTrigger.Node");
    private volatile int _live = 1;
    private volatile int _ready;

    public ProbeMetrics()
    {
        _meter.CreateObservableGauge("tixtrigger.live", () => _live, description: "1 while /healthz would answer 200");
        _meter.CreateObservableGauge("tixtrigger.ready", () => _ready, description: "1 while /readyz would answer 200");
    }

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        _live = report.Entries.Values.All(entry => !entry.Tags.Contains(ProbeEndpoints.Live) || entry.Status != HealthStatus.Unhealthy) ? 1 : 0;
        _ready = report.Status == HealthStatus.Unhealthy ? 0 : 1;
        return Task.CompletedTask;
    }

    public void Dispose() => _meter.Dispose();
}
