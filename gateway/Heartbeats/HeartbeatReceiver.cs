using Microsoft.Extensions.Logging;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Abuse;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.Udp;
using TixTrigger.Settings;
using TixTrigger.Time;

namespace TixTrigger.Gateway.Heartbeats;

/// <summary>
/// Reads datagrams on a dedicated thread, a batch per system call. Any datagram up to 64 bytes is
/// a heartbeat: it registers or refreshes its sender in the mirror at once (a new client is pinged
/// within ~20 ms), and never waits for the cluster, which hears of it in batches. Anything else is
/// dropped and counted; nothing a client sends can stop this loop.
/// </summary>
internal sealed partial class HeartbeatReceiver(IDatagramSocket socket, PingMirror mirror, GatewayMetrics metrics, ILogger logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly ReceivedDatagram[] _batch = new ReceivedDatagram[64];
    private readonly LogThrottle _errorLog = new();
    private readonly DropReport _drops = new(metrics, logger);
    private Thread? _thread;
    private volatile bool _stopping;
    private volatile bool _drain = true;
    private long _overflowsCounted;

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "tixtrigger-heartbeats", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Stops after the batch in hand; <paramref name="drain"/>: and after what the kernel queued (a hand-over leaves that to the successor).</summary>
    public void Stop(bool drain = true)
    {
        _drain = drain;
        _stopping = true;
        _thread?.Join();
    }

    private void Run()
    {
        while (!_stopping)
        {
            metrics.MarkReceiving();
            try
            {
                ReceiveBatch(PollInterval);
            }
            catch (Exception error)
            {
                // Never let one datagram (or a socket closing under us at shutdown) end the loop's thread.
                if (_stopping) return;
                metrics.CountReceiveError();
                if (_errorLog.ShouldLog()) LogReceiveFailed(error, metrics.ReceiveErrors);
            }
        }
        if (_drain) DrainBeforeStopping();
    }

    private int ReceiveBatch(TimeSpan timeout)
    {
        int received = socket.Receive(_batch, timeout);
        long now = Monotonic.NowMs();
        for (int i = 0; i < received; i++) Handle(_batch[i]);
        CountOverflows();
        _drops.Tick(now);
        return received;
    }

    /// <summary>Heartbeats that reached the host before it was told to stop are taken too, so the cluster hears of them.</summary>
    private void DrainBeforeStopping()
    {
        try
        {
            for (int batches = 0; batches < 10_000 && ReceiveBatch(TimeSpan.Zero) > 0; batches++)
            {
            }
        }
        catch (Exception error)
        {
            LogDrainFailed(error);
        }
    }

    /// <summary>Judged at its arrival, not at this read: the echo rule reads its phase against our pings' send times.</summary>
    private void Handle(in ReceivedDatagram datagram)
    {
        long arrivedMs = datagram.ArrivedMs;
        if (datagram.Length < 0)
        {
            metrics.CountDrop(DropReason.Malformed);
            return;
        }
        if (datagram.Length > UdpGatewayOptions.MaxHeartbeatBytes)
        {
            metrics.CountDrop(DropReason.Oversize);
            mirror.Context.Refusals.Record(datagram.Remote, DropReason.Oversize, arrivedMs);
            return;
        }
        var verdict = mirror.Admit(datagram.Remote, datagram.Local, datagram.IsPing, arrivedMs);
        if (verdict.IsRefused)
        {
            metrics.CountDrop(verdict.Reason());
            mirror.Context.Refusals.Record(datagram.Remote, verdict.Reason(), arrivedMs);
            return;
        }
        if (verdict == Admission.Replaced) metrics.CountStaleSignupReplaced();
        metrics.CountHeartbeat();
        LogHeartbeat(datagram.Remote, datagram.Local);
    }

    private void CountOverflows()
    {
        long overflows = socket.ReceiveOverflows;
        if (overflows <= _overflowsCounted) return;
        metrics.CountReceiveOverflows(overflows - _overflowsCounted);
        _overflowsCounted = overflows;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Receiving datagrams failed ({Errors} so far)")]
    private partial void LogReceiveFailed(Exception error, long errors);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Draining the socket before stopping failed")]
    private partial void LogDrainFailed(Exception error);

    // The generated method checks IsEnabled(Trace) before anything else: off, a heartbeat costs a call and a comparison.
    [LoggerMessage(Level = LogLevel.Trace, Message = "Heartbeat from {Client} to {Local}")]
    private partial void LogHeartbeat(ClientEndpoint client, PackedAddress local);
}
