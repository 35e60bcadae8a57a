using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TixTrigger.Gateway.Hosting;

/// <summary>
/// Readiness of a standalone gateway: connected to at least one silo. The client host starts
/// only once connected, so the count starts at "connected"; Orleans reports every change after.
/// </summary>
internal sealed class ClusterConnection : IClusterConnectionStatusObserver, IHealthCheck
{
    private volatile int _gateways = -1;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered) =>
        _gateways = currentNumberOfGateways;

    public void NotifyClusterConnectionLost() => _gateways = 0;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_gateways switch
        {
            0 => HealthCheckResult.Unhealthy("no connection to any silo"),
            < 0 => HealthCheckResult.Healthy("connected"),
            var silos => HealthCheckResult.Healthy($"connected to {silos} silo(s)"),
        });
}
