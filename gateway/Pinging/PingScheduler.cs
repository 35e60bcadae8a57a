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

    /// <summary>The due time of the slot the sender checks the mark for, published before it reads the mark (see <see cref="MarkStopBefore"/>).</summary>
    private long _checking;
    private volatile bool _waitingAtMark;

    /// <summary>The <see cref="Stopwatch"/> timestamp of slot 0: each slot is due at a whole number of slots after it.</summary>
    public long Origin => Volatile.Read(ref _origin);

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
        mirror.Context.Occupancy.Interrupt();
        _thread?.Join();
    }

    /// <summary>
    /// After <see cref="MarkStopBefore"/>: returns once the sender has pinged every slot before the mark and
    /// waits at it, then ends the thread (or, should it not get there within <paramref name="limit"/>, ends it anyway).
    /// </summary>
    public void StopAtMark(TimeSpan limit)
    {
        long giveUp = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (!_waitingAtMark && _thread is { IsAlive: true } && Stopwatch.GetTimestamp() < giveUp) Thread.Sleep(1);
        Stop();
    }

    /// <summary>
    /// Pings no slot due at or after the returned timestamp from now on, without waiting: <paramref name="timestamp"/>,
    /// or a later slot if the sender already took one due at or after it (this thread ran late); <see cref="long.MaxValue"/>
    /// lifts the mark, and the sender goes on from the slot it waits at.
    /// </summary>
    public long MarkStopBefore(long timestamp)
    {
        while (true)
        {
            // Both sides write, then read the other's value, each with a full fence: at least one sees the other's write.
            Interlocked.Exchange(ref _stopBefore, timestamp);
            // A sender asleep on an empty mirror must still reach the mark and wait there.
            if (timestamp != long.MaxValue) mirror.Context.Occupancy.Interrupt();
            long checking = Interlocked.Read(ref _checking);
            if (timestamp == long.MaxValue || checking < timestamp) return timestamp;
            timestamp = checking + SlotTicks;
        }
    }

    /// <summary>Whether the sender has reached the cut-over mark and waits there.</summary>
    public bool WaitingAtMark => _waitingAtMark;

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
            if (mirror.Context.Occupancy.IsEmpty && Volatile.Read(ref _stopBefore) == long.MaxValue)
            {
                slot = SleepWhileEmpty(origin, slot);
                continue;
            }
            long due = origin + slot * SlotTicks;
            long now = Stopwatch.GetTimestamp();
            if (now < due)
            {
                Thread.Sleep(Math.Max(1, (int)((due - now) * 1000 / Stopwatch.Frequency)));
                continue;
            }
            Interlocked.Exchange(ref _checking, due);
            if (due >= Volatile.Read(ref _stopBefore))
            {
                // At a cut-over: wait here rather than end, so a hand-over that fails resumes from this very slot.
                _waitingAtMark = true;
                Thread.Sleep(1);
                continue;
            }
            _waitingAtMark = false;
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

    /// <summary>
    /// No client at all: walking 100 empty slots a second costs an idle node more than anything
    /// else it does. Sleeps until the first entry (or a mark, or a stop), then returns the first
    /// slot due at or after the wake-up, so the new client's slot (chosen then, 2 ahead) is next but one.
    /// </summary>
    private long SleepWhileEmpty(long origin, long slot)
    {
        var progress = mirror.Context.Sender;
        var occupancy = mirror.Context.Occupancy;
        progress.Sleeping(origin);
        metrics.SenderSleeps(true);
        long wokenAt = _stopping ? Stopwatch.GetTimestamp() : occupancy.SleepWhileEmpty();
        // Rejoin the schedule where the clock is: the slots slept through held no one, so none counts as skipped or late.
        long resume = Math.Max(slot, (wokenAt - origin + SlotTicks - 1) / SlotTicks);
        progress.Awake((int)((resume + SlotWheel.SlotCount - 1) % SlotWheel.SlotCount));
        metrics.SenderSleeps(false);
        return resume;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The ping sender runs at normal priority (raising it needs CAP_SYS_NICE): under a flood on a small host its slots may be late")]
    private partial void LogNormalPriority();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ping sender stalled for {Milliseconds} ms and skipped ahead")]
    private partial void LogStalled(long milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending slot {Slot} failed")]
    private partial void LogSendFailed(Exception error, long slot);
}
