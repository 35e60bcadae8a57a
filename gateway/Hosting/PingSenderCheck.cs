using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TixTrigger.Gateway.Hosting;

/// <summary>Liveness: the ping sender finishes a slot every 10 ms; seconds without one means its thread is stuck or gone.</summary>
internal sealed class PingSenderCheck(UdpGatewayService service) : IHealthCheck
{
    public static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(5);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Not started yet is not stuck: the host is still connecting to the cluster.
        if (service.Gateway is not { } gateway) return Task.FromResult(HealthCheckResult.Healthy("not started yet"));
        var since = gateway.Metrics.SinceLastSlot;
        return Task.FromResult(since < StuckAfter
            ? HealthCheckResult.Healthy($"last slot {since.TotalMilliseconds:F0} ms ago")
            : HealthCheckResult.Unhealthy($"no slot sent for {since.TotalSeconds:F0} s"));
    }
}
