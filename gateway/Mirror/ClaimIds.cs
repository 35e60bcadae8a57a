namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// This process's claim ids: its epoch (high 32 bits) and a counter. No wall clock, so a clock step
/// changes nothing. Until the cluster grants the epoch, ids are epoch 0 and are stamped again when
/// their claim leaves (see <see cref="Floor"/>).
/// </summary>
internal sealed class ClaimIds
{
    private long _last;
    private long _floor;

    public long Next() => Interlocked.Increment(ref _last);

    /// <summary>The first claim id of this process's epoch: a claim below it has not left yet and gets a new id when it does.</summary>
    public long Floor => Volatile.Read(ref _floor);

    /// <summary>
    /// The epoch the cluster granted this process: above every epoch of this GATEWAY_ID the cluster
    /// still remembers, so its claims come after every earlier process's.
    /// </summary>
    public void StartEpoch(long epoch)
    {
        long floor = epoch << 32;
        Observe(floor);
        Volatile.Write(ref _floor, floor);
    }

    /// <summary>A claim id learnt from a shard: new claims must come after it.</summary>
    public void Observe(long claimId)
    {
        long last;
        while ((last = Volatile.Read(ref _last)) < claimId && Interlocked.CompareExchange(ref _last, claimId, last) != last)
        {
        }
    }
}
