using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TixTrigger.Grains;
using TixTrigger.Status;

namespace TixTrigger.Gateway.Status;

/// <summary>
/// What this gateway tells the status page with each announcement: its clients, and its pings, late
/// pings and heartbeats per second since the previous one. Each report carries a reference to this
/// gateway's <see cref="GatewayLookupResponder"/>: the status page asks every gateway it shows about one phone through it.
/// </summary>
internal sealed partial class GatewayReporter(UdpGateway gateway, IGrainFactory grains, ILogger logger)
{
    // The runtime holds observers weakly: the reporter keeps the responder alive while it reports.
    private readonly GatewayLookupResponder _responder = new(gateway);
    private IGatewayLookup? _lookup;
    private Sample _previous = Sample.Of(gateway.Metrics);

    private readonly record struct Sample(long Timestamp, long Pings, long LatePings, long Heartbeats)
    {
        public static Sample Of(GatewayMetrics metrics) => new(Stopwatch.GetTimestamp(), metrics.PingsSent, metrics.LatePings, metrics.Heartbeats);
    }

    /// <summary>The report since the previous call. Call once the cluster client has connected: the lookup reference needs it.</summary>
    public GatewayReport Next()
    {
        _lookup ??= grains.CreateObjectReference<IGatewayLookup>(_responder);
        var metrics = gateway.Metrics;
        var (previous, current) = (_previous, Sample.Of(metrics));
        _previous = current;
        double seconds = Math.Max(0.001, Stopwatch.GetElapsedTime(previous.Timestamp, current.Timestamp).TotalSeconds);
        long pings = current.Pings - previous.Pings;
        return new GatewayReport(
            metrics.GatewayId,
            gateway.LocalEndpoint.ToString(),
            gateway.ClientCount,
            pings / seconds,
            pings > 0 ? (current.LatePings - previous.LatePings) / (double)pings : 0,
            (current.Heartbeats - previous.Heartbeats) / seconds,
            Enum.GetValues<DropReason>().ToDictionary(reason => reason.ToString(), metrics.Dropped),
            metrics.PingsFailed,
            gateway.SyncedShards,
            gateway.Mirror.Shards.Count,
            _lookup);
    }

    /// <summary>Stopping: the status page can no longer ask this gateway.</summary>
    public void ForgetLookup()
    {
        if (_lookup is null) return;
        try
        {
            grains.DeleteObjectReference<IGatewayLookup>(_lookup);
        }
        catch (Exception error)
        {
            // The cluster client may have stopped first; the reference dies with it.
            LogForgetFailed(error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleting the lookup observer failed: {Error}")]
    private partial void LogForgetFailed(string error);
}
