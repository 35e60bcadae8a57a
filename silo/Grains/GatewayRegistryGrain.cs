using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Protocol;
using TixTrigger.Status;
using TixTrigger.Time;

namespace TixTrigger.Silo.Grains;

/// <inheritdoc cref="IGatewayRegistryGrain"/>
public sealed class GatewayRegistryGrain : Grain, IGatewayRegistryGrain
{
    /// <summary>One gateway's latest announcement; <see cref="Udp"/> is null once it has stopped listening.</summary>
    private readonly record struct Entry(GatewayUdpEndpoints? Udp, GatewayReport Report, long HeardMs);

    private readonly Dictionary<string, Entry> _gateways = [];

    public Task<GatewayUdpEndpoints[]> Announce(GatewayAnnouncement announcement)
    {
        long now = Monotonic.NowMs();
        _gateways[announcement.Report.GatewayId] = new Entry(announcement.Udp, announcement.Report, now);
        ForgetSilent(now);
        return Task.FromResult<GatewayUdpEndpoints[]>([.. _gateways.Values.Select(entry => entry.Udp).OfType<GatewayUdpEndpoints>()]);
    }

    public Task Stopped(string gatewayId)
    {
        if (_gateways.TryGetValue(gatewayId, out var entry)) _gateways[gatewayId] = entry with { Udp = null };
        return Task.CompletedTask;
    }

    public Task<GatewayReportAge[]> GetReports()
    {
        long now = Monotonic.NowMs();
        ForgetSilent(now);
        return Task.FromResult(_gateways.Values
            .OrderBy(entry => entry.Report.GatewayId, StringComparer.Ordinal)
            .Select(entry => new GatewayReportAge(entry.Report, (now - entry.HeardMs) / 1000.0))
            .ToArray());
    }

    private void ForgetSilent(long nowMs)
    {
        foreach (var (id, entry) in _gateways)
        {
            if (nowMs - entry.HeardMs > ClusterTiming.GatewayGoneAfterMs) _gateways.Remove(id);
        }
    }
}
