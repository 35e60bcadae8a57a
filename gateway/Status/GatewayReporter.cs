using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TixTrigger.Grains;
using TixTrigger.Status;

namespace TixTrigger.Gateway.Status;

/// <summary>
/// Tells the status page what this gateway does, every <see cref="Interval"/>: its clients, and
/// its pings, late pings and heartbeats per second over the last interval. A report that fails
/// (the cluster is away) is simply sent again next time: the page shows the gateway once it is back.
/// Each report carries a reference to this gateway's <see cref="GatewayLookupResponder"/>: the status
/// page asks every gateway it shows about one phone through it.
/// </summary>
internal sealed partial class GatewayReporter(UdpGateway gateway, int shards, IGrainFactory grains, ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly LogThrottle _failureLog = new(60_000);

    // The runtime holds observers weakly: the reporter keeps the responder alive while it reports.
    private readonly GatewayLookupResponder _responder = new(gateway);
    private IGatewayLookup? _lookup;

    private readonly record struct Sample(long Timestamp, long Pings, long LatePings, long Heartbeats)
    {
        public static Sample Of(GatewayMetrics metrics) => new(Stopwatch.GetTimestamp(), metrics.PingsSent, metrics.LatePings, metrics.Heartbeats);
    }

    public async Task RunAsync(CancellationToken cancellation)
    {
        var previous = Sample.Of(gateway.Metrics);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellation))
            {
                var current = Sample.Of(gateway.Metrics);
                try
                {
                    // Resolved each time: before the client has connected, Orleans cannot make the references.
                    _lookup ??= grains.CreateObjectReference<IGatewayLookup>(_responder);
                    await grains.GetGrain<IGatewayStatusGrain>(0).Report(Report(previous, current));
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    if (_failureLog.ShouldLog()) LogReportFailed(error.Message);
                }
                previous = current;
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            ForgetLookup();
        }
    }

    private void ForgetLookup()
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

    private GatewayReport Report(Sample previous, Sample current)
    {
        var metrics = gateway.Metrics;
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
            shards,
            _lookup);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleting the lookup observer failed: {Error}")]
    private partial void LogForgetFailed(string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The status report did not reach the cluster: {Error}")]
    private partial void LogReportFailed(string error);
}
