using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TixTrigger.Gateway.Hosting;

/// <summary>
/// Liveness: the ping sender finishes a slot every 10 ms, and the receiving loop comes round at
/// least every 200 ms; seconds without either means its thread is stuck or gone.
/// </summary>
internal sealed class GatewayLoopsCheck(UdpGatewayService service) : IHealthCheck
{
    public static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(5);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (service.Gateway is not { } gateway) return Task.FromResult(HealthCheckResult.Healthy("not started yet"));
        var sending = gateway.Metrics.SinceLastSlot;
        var receiving = gateway.Metrics.SinceLastReceive;
        return Task.FromResult(sending < StuckAfter && receiving < StuckAfter
            ? HealthCheckResult.Healthy($"last slot {sending.TotalMilliseconds:F0} ms ago, last receive round {receiving.TotalMilliseconds:F0} ms ago")
            : HealthCheckResult.Unhealthy($"no slot sent for {sending.TotalSeconds:F0} s, no receive round for {receiving.TotalSeconds:F0} s"));
    }
}
