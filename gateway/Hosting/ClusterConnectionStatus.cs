using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TixTrigger.Gateway.Hosting;

/// <summary>
/// Readiness of a standalone gateway: connected to at least one silo. Unready until the client's
/// first connection completes (<see cref="ClusterConnection"/>); Orleans reports every change after.
/// </summary>
internal sealed class ClusterConnectionStatus : IClusterConnectionStatusObserver, IHealthCheck
{
    private volatile bool _connected;
    // Orleans counts the silos it is connected to as its "gateways"; -1 before its first report.
    private volatile int _silos = -1;

    public bool IsConnected => _connected && _silos != 0;

    public void MarkConnected() => _connected = true;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered) =>
        _silos = currentNumberOfGateways;

    public void NotifyClusterConnectionLost() => _silos = 0;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult((_connected, _silos) switch
        {
            (false, _) => HealthCheckResult.Unhealthy("connecting to the cluster"),
            (_, 0) => HealthCheckResult.Unhealthy("no connection to any silo"),
            (_, < 0) => HealthCheckResult.Healthy("connected"),
            (_, var silos) => HealthCheckResult.Healthy($"connected to {silos} silo(s)"),
        });
}
