using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.Udp;
using TixTrigger.Protocol;
using TixTrigger.Time;

namespace TixTrigger.Gateway.Pinging;

/// <summary>
/// Walks the second slot by slot (10 ms each) on a dedicated thread and pings the members of
/// each slot in one batch. Slot times are absolute on the monotonic clock, so a late wake-up
/// delays one slot without shifting the ones after it: each client's interval stays at 1000 ms.
/// The shards' ticks change who is pinged, never when; pinging goes on if the cluster is away.
/// </summary>
internal sealed partial class PingScheduler(PingMirror mirror, IDatagramSocket socket, GatewayMetrics metrics, ILogger logger)
{
    private static readonly long SlotTicks = Stopwatch.Frequency / SlotWheel.SlotCount;
    private static readonly long LateTicks = (long)(Stopwatch.Frequency * GatewayMetrics.LateSeconds);

    private readonly PingBatch _batch = new();
    private readonly LogThrottle _errorLog = new();
    private Thread? _thread;
    private volatile bool _stopping;
    private long _origin;
    private long _firstSlot;
    private long _stopBefore = long.MaxValue;

    /// <summary>The <see cref="Stopwatch"/> timestamp of slot 0: each slot is due at a whole number of slots after it.</summary>
    public long Origin => Volatile.Read(ref _origin);

    /// <summary>When the first slot this sender pings is due.</summary>
    public long FirstDue => _origin + _firstSlot * SlotTicks;

    /// <summary>
    /// Starts pinging. <paramref name="origin"/>: a predecessor's slot 0 (the same phase for every
    /// client across a hand-over), from its first slot due no earlier than <paramref name="notBefore"/>;
    /// by default now.
    /// </summary>
    public void Start(long? origin = null, long notBefore = 0)
    {
        long now = Stopwatch.GetTimestamp();
        _origin = origin ?? now;
        _firstSlot = Math.Max(0, (Math.Max(notBefore, _origin) - _origin + SlotTicks - 1) / SlotTicks);
        _thread = new Thread(Run) { IsBackground = true, Name = "tixtrigger-pings", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public void Stop()
    {
        _stopping = true;
        _thread?.Join();
    }

    /// <summary>
    /// Pings every slot due before <paramref name="timestamp"/> (a successor's first) and none after,
    /// and returns once the thread has ended there (or, should it not within <paramref name="limit"/>, stops it).
    /// </summary>
    public void StopBefore(long timestamp, TimeSpan limit)
    {
        MarkStopBefore(timestamp);
        if (_thread is { } thread && !thread.Join(limit)) Stop();
    }

    /// <summary>Pings no slot due at or after <paramref name="timestamp"/> from now on, without waiting (<see cref="long.MaxValue"/>: every slot again).</summary>
    public void MarkStopBefore(long timestamp) => Volatile.Write(ref _stopBefore, timestamp);

    /// <summary>Whether the sending thread has ended (at a cut-over mark, or stopped).</summary>
    public bool HasEnded => _thread is { IsAlive: false };

    private void Run()
    {
        if (!SenderPriority.TryRaiseCurrentThread())
        {
            LogNormalPriority();
        }
        long origin = _origin;
        long slot = _firstSlot;
        while (!_stopping)
        {
            long due = origin + slot * SlotTicks;
            if (due >= Volatile.Read(ref _stopBefore)) break;
            long now = Stopwatch.GetTimestamp();
            if (now < due)
            {
                Thread.Sleep(Math.Max(1, (int)((due - now) * 1000 / Stopwatch.Frequency)));
                continue;
            }
            if (now - due > Stopwatch.Frequency)
            {
                // Stalled for over a second (a paused VM, a long GC): pinging every missed slot
                // now would ping clients twice in a moment. Rejoin the schedule instead.
                slot = (now - origin) / SlotTicks;
                metrics.CountSkippedSecond();
                LogStalled((now - due) * 1000 / Stopwatch.Frequency);
                continue;
            }
            try
            {
                mirror.CollectSlot((int)(slot % SlotWheel.SlotCount), Monotonic.NowMs(), _batch);
                int sent = socket.Send(_batch.Items, Ping.Bytes);
                metrics.CountSlot(sent, _batch.Count - sent, now - due > LateTicks);
                metrics.RecordSlotLateness((double)(now - due) / Stopwatch.Frequency);
            }
            catch (Exception error)
            {
                // An exception on this thread would end the process; one failed slot must not, nor fill the log 100 times a second.
                if (!_stopping && _errorLog.ShouldLog()) LogSendFailed(error, slot % SlotWheel.SlotCount);
            }
            slot++;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The ping sender runs at normal priority (raising it needs CAP_SYS_NICE): under a flood on a small host its slots may be late")]
    private partial void LogNormalPriority();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ping sender stalled for {Milliseconds} ms and skipped ahead")]
    private partial void LogStalled(long milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending slot {Slot} failed")]
    private partial void LogSendFailed(Exception error, long slot);
}
