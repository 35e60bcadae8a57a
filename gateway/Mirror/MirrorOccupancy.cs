using System.Diagnostics;

namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// How many entries the mirror holds over all its shards (lingering ones included), so the sender
/// and the claim flusher can sleep while it holds none. Every way in (a heartbeat, the cluster,
/// a restore, a hand-over import) goes through one add, which wakes them at the first entry.
/// </summary>
internal sealed class MirrorOccupancy
{
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(1);

    // A plain monitor, not a Lock: the sender waits on it.
    private readonly object _gate = new();
    private int _entries;
    private bool _interrupted;
    private long _wokenAt;
    private TaskCompletionSource? _firstEntry;

    public bool IsEmpty => Volatile.Read(ref _entries) == 0;

    /// <summary>An entry added; called under its shard's lock, so the first one wakes the sleepers before anyone can ping it.</summary>
    public void Added()
    {
        if (Interlocked.Increment(ref _entries) == 1) Wake(interrupt: false);
    }

    public void Removed() => Interlocked.Decrement(ref _entries);

    /// <summary>Ends a sleep of the sender whatever the count (a cut-over mark, a stop); one that comes while it runs ends its next sleep at once.</summary>
    public void Interrupt() => Wake(interrupt: true);

    /// <summary>
    /// Blocks while the mirror is empty and nothing interrupted; returns the <see cref="Stopwatch"/>
    /// time of the wake-up's cause (the first add), from which the sender resumes its slots: the
    /// new client's slot was chosen then, so a sender scheduled late still reaches it.
    /// </summary>
    public long SleepWhileEmpty()
    {
        lock (_gate)
        {
            _wokenAt = 0;
            // The count decides, re-read each second: a wake-up lost to a bug costs a second of pings, never all of them.
            while (IsEmpty && !_interrupted) Monitor.Wait(_gate, RecheckEvery);
            _interrupted = false;
            return _wokenAt != 0 ? _wokenAt : Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Completes at once if the mirror holds an entry, or else when the first one is added.</summary>
    public Task WhenNotEmpty()
    {
        lock (_gate)
        {
            if (!IsEmpty) return Task.CompletedTask;
            return (_firstEntry ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    private void Wake(bool interrupt)
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            if (interrupt) _interrupted = true;
            if (_wokenAt == 0) _wokenAt = Stopwatch.GetTimestamp();
            Monitor.PulseAll(_gate);
            waiting = _firstEntry;
            _firstEntry = null;
        }
        waiting?.TrySetResult();
    }
}
