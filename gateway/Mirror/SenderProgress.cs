using System.Diagnostics;

namespace TixTrigger.Gateway.Mirror;

/// <summary>Where the sending thread is in the second: the slot a new client goes to, and the phase a datagram is read against.</summary>
internal sealed class SenderProgress
{
    private static readonly long SlotTicks = Stopwatch.Frequency / SlotWheel.SlotCount;

    private readonly SlotTimes _times = new();
    private int _sendingSlot;

    /// <summary>While the sender sleeps (an empty mirror): its slot 0, from which the slot due now is read off the clock; else 0.</summary>
    private long _sleepingOrigin;

    /// <summary>The slot a client that heartbeats now is put in: just ahead of the sender, so it is pinged within ~20 ms.</summary>
    public int SlotAhead
    {
        get
        {
            // A sleeping sender's last slot is stale; it resumes at the slot due when it is woken.
            long origin = Volatile.Read(ref _sleepingOrigin);
            long current = origin != 0 ? (Stopwatch.GetTimestamp() - origin) / SlotTicks : Volatile.Read(ref _sendingSlot);
            return (int)((current + 2) % SlotWheel.SlotCount);
        }
    }

    public void Sending(int slot, long nowMs)
    {
        Volatile.Write(ref _sendingSlot, slot);
        _times.Sent(slot, nowMs);
    }

    /// <summary>The sender is about to sleep until the mirror has an entry; <paramref name="origin"/> is its slot 0.</summary>
    public void Sleeping(long origin) => Interlocked.Exchange(ref _sleepingOrigin, origin);

    /// <summary>The sender woke; it publishes its slots again from the next one it sends.</summary>
    public void Awake(int slot)
    {
        Volatile.Write(ref _sendingSlot, slot);
        Interlocked.Exchange(ref _sleepingOrigin, 0);
    }

    /// <inheritdoc cref="SlotTimes.PhaseOf"/>
    public int PhaseOf(int slot, long nowMs) => _times.PhaseOf(slot, nowMs);
}
