using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.State;
using TixTrigger.Time;

namespace TixTrigger.Gateway;

/// <summary>
/// The gateway's snapshot (STATE_DIR): taken back before the first ping, kept up to date by a
/// <see cref="StateSaver"/>, saved a last time when the gateway stops.
/// </summary>
public sealed partial class UdpGateway
{
    private StateFile? _stateFile;
    private StateSaver? _saver;
    private long _predecessorOrigin;

    /// <summary>Into the new mirror: the predecessor's clients, else the snapshot's (if this process may hold it).</summary>
    private void RestoreClients(GatewayTakeover? from)
    {
        var mirror = _mirror!;
        if (_options.StateDirectory is { } directory)
        {
            _stateFile = new StateFile(directory, _options.GatewayId);
            _saver = new StateSaver(_stateFile, mirror, () => _scheduler?.Origin ?? 0, _logger);
        }
        var image = from?.ReadClients();
        _predecessorOrigin = image?.PingOriginTimestamp ?? 0;
        string source = "the process handing over";
        if (image is null && _stateFile is not null)
        {
            source = _stateFile.Path;
            if (!_stateFile.TryLock())
            {
                LogStateHeld(_stateFile.Path);
                return;
            }
            try
            {
                image = _stateFile.Load();
            }
            catch (Exception error) when (error is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                LogStateUnreadable(error, _stateFile.Path);
            }
        }
        if (image is null) return;
        long started = Stopwatch.GetTimestamp();
        int refused = 0;
        // The cluster's gateways are unknown until the first directory read, so that rule lets every record in here;
        // that read changes the list from empty, and PeerGateways.Learn then removes any restored client that is a gateway's endpoint.
        int restored = mirror.Restore(image.Span, Monotonic.NowMs(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), verdict =>
        {
            refused++;
            Metrics.CountDrop(verdict.Reason());
        });
        LogRestored(restored, source, image.Count - restored - refused, refused, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Stopping: the receiver has taken its last heartbeats; the file gets them all.</summary>
    private void SaveFinally()
    {
        if (_saver is null || _fenced || _handingOff) return;
        _saver.Stop();
        _saver.TrySave();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored {Restored} clients from {Source} ({Expired} expired or known, {Refused} refused by the limits) in {Ms} ms")]
    private partial void LogRestored(int restored, string source, int expired, int refused, long ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Another live process holds {Path} (the same GATEWAY_ID and STATE_DIR): this one does not resume its clients, and saves its own only once that process is gone")]
    private partial void LogStateHeld(string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The saved clients in {Path} cannot be read; starting without them (each comes back with its next heartbeat)")]
    private partial void LogStateUnreadable(Exception error, string path);
}
