namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// When the sender last sent each slot, on the monotonic clock: the reference against which a
/// datagram's phase is read (the echo rule). The actual send time, not the scheduled one, so a
/// sender running late on a busy machine does not look like a change of phase.
/// </summary>
internal sealed class SlotTimes
{
    private readonly long[] _sentMs = new long[SlotWheel.SlotCount];

    public void Sent(int slot, long nowMs) => Volatile.Write(ref _sentMs[slot], nowMs);

    /// <summary>Milliseconds since <paramref name="slot"/> was last sent, within a second (0–999); -1 if unknown (not sent yet, or the sender stalled).</summary>
    public int PhaseOf(int slot, long nowMs)
    {
        long sent = Volatile.Read(ref _sentMs[slot]);
        long since = nowMs - sent;
        if (sent == 0 || since <= -1000 || since >= 2000) return -1;
        return (int)((since + 1000) % 1000);
    }
}
