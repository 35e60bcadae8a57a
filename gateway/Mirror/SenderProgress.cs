namespace TixTrigger.Gateway.Mirror;

/// <summary>Where the sending thread is in the second: the slot a new client goes to, and the phase a datagram is read against.</summary>
internal sealed class SenderProgress
{
    private readonly SlotTimes _times = new();
    private int _sendingSlot;

    /// <summary>The slot a client that heartbeats now is put in: just ahead of the sender, so it is pinged within ~20 ms.</summary>
    public int SlotAhead => (Volatile.Read(ref _sendingSlot) + 2) % SlotWheel.SlotCount;

    public void Sending(int slot, long nowMs)
    {
        Volatile.Write(ref _sendingSlot, slot);
        _times.Sent(slot, nowMs);
    }

    /// <inheritdoc cref="SlotTimes.PhaseOf"/>
    public int PhaseOf(int slot, long nowMs) => _times.PhaseOf(slot, nowMs);
}
