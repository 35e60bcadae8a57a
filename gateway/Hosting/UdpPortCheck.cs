using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TixTrigger.Gateway.Hosting;

/// <summary>Readiness: the gateway has bound its UDP port and takes heartbeats.</summary>
internal sealed class UdpPortCheck(UdpGatewayService service) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(service.Gateway is { } gateway
            ? HealthCheckResult.Healthy($"udp {gateway.LocalEndpoint}, {gateway.ClientCount} clients")
            : HealthCheckResult.Unhealthy("the UDP port is not bound yet"));
}
