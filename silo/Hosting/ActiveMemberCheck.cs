using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TixTrigger.Silo.Hosting;

/// <summary>Readiness of a silo: an active member of its cluster (joining, shutting down or declared dead is not ready).</summary>
internal sealed class ActiveMemberCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"active member {silo.SiloAddress}")
            : HealthCheckResult.Unhealthy($"{status}, not an active member"));
    }
}
