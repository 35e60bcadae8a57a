using TixTrigger.Time;
using TixTrigger.Grains;
using TixTrigger.Status;

namespace TixTrigger.Silo.Status;

/// <inheritdoc cref="IGatewayStatusGrain"/>
public sealed class GatewayStatusGrain : Grain, IGatewayStatusGrain
{
    /// <summary>Several missed reports: the gateway has stopped, or cannot reach the cluster.</summary>
    public static readonly TimeSpan ExpireAfter = TimeSpan.FromSeconds(15);

    private readonly Dictionary<string, (GatewayReport Report, long ReceivedMs)> _reports = [];

    public Task Report(GatewayReport report)
    {
        _reports[report.GatewayId] = (report, Monotonic.NowMs());
        return Task.CompletedTask;
    }

    public Task<GatewayReportAge[]> GetReports()
    {
        long now = Monotonic.NowMs();
        foreach (var expired in _reports.Where(pair => now - pair.Value.ReceivedMs > ExpireAfter.TotalMilliseconds).Select(pair => pair.Key).ToList())
        {
            _reports.Remove(expired);
        }
        return Task.FromResult(_reports.Values
            .OrderBy(entry => entry.Report.GatewayId, StringComparer.Ordinal)
            .Select(entry => new GatewayReportAge(entry.Report, (now - entry.ReceivedMs) / 1000.0))
            .ToArray());
    }
}
