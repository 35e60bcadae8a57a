using TixTrigger.Gateway.Abuse;

namespace TixTrigger.Gateway.Mirror;

/// <summary>What every shard of the mirror shares: the expiry, how far the shards' deadlines may lag, the limits, claim ids, and the sender's progress.</summary>
internal sealed class MirrorSettings(int expirySeconds, AdmissionControl admission, Func<int, int, int>? secret = null)
{
    public long ExpiryMs { get; } = expirySeconds * 1000L;

    /// <summary>How far a shard's copy of a deadline may fall behind this gateway's before a batched refresh is due.</summary>
    public long RefreshLagMs { get; } = Protocol.ClusterTiming.RefreshLagMs(expirySeconds);

    public AdmissionControl Admission { get; } = admission;

    /// <summary>Sources refused lately, for the status page's lookup of one phone.</summary>
    public Status.RecentRefusals Refusals { get; } = new();

    public EchoRule EchoRule { get; } = EchoRule.For(expirySeconds, secret);

    // A claim id is this process's epoch (high 32 bits) and a counter: no wall clock, so a clock step
    // changes nothing. Until the cluster grants the epoch, ids are epoch 0 and are stamped again when
    // their claim leaves (see ClaimFloor).
    private long _lastClaimId;
    private long _claimFloor;

    public long NextClaimId() => Interlocked.Increment(ref _lastClaimId);

    /// <summary>The first claim id of this process's epoch: a claim below it has not left yet and gets a new id when it does.</summary>
    public long ClaimFloor => Volatile.Read(ref _claimFloor);

    /// <summary>
    /// The epoch the cluster granted this process: above every epoch of this GATEWAY_ID the cluster
    /// still remembers, so its claims come after every earlier process's.
    /// </summary>
    public void StartEpoch(long epoch)
    {
        long floor = epoch << 32;
        Observe(floor);
        Volatile.Write(ref _claimFloor, floor);
    }

    /// <summary>A claim id learnt from a shard: new claims must come after it.</summary>
    public void Observe(long claimId)
    {
        long last;
        while ((last = Volatile.Read(ref _lastClaimId)) < claimId && Interlocked.CompareExchange(ref _lastClaimId, claimId, last) != last)
        {
        }
    }

    /// <summary>The slot a client that heartbeats now is put in: just ahead of the sender (set by it), so it is pinged within ~20 ms.</summary>
    public int SlotAhead => (Volatile.Read(ref _sendingSlot) + 2) % SlotWheel.SlotCount;

    private int _sendingSlot;

    /// <summary>When each slot was last sent: the phase of a client's datagrams is read against its slot's.</summary>
    public SlotTimes SlotTimes { get; } = new();

    public void Sending(int slot, long nowMs)
    {
        Volatile.Write(ref _sendingSlot, slot);
        SlotTimes.Sent(slot, nowMs);
    }
}
