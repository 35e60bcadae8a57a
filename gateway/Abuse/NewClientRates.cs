using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// Token buckets on new registrations, one per gateway and one per source prefix, as DNS Response
/// Rate Limiting keeps them: a fixed table of buckets indexed by a keyed hash of the prefix, so a flood
/// from a million networks costs no more memory than one from a single network. Two prefixes that
/// share a bucket share its rate (stricter for both, never looser). Refreshes of known clients
/// take no token: only a registration can be a forger's first step.
/// Not thread-safe: <see cref="AdmissionControl"/> calls it under its lock.
/// </summary>
internal sealed class NewClientRates(int perSecond, int perSecondPerPrefix)
{
    /// <summary>
    /// A prefix's bucket holds this many seconds of its rate: the phones behind one NAT that all
    /// restart at once (after an outage) pass, though the rate is small.
    /// </summary>
    public const int PrefixBurstSeconds = 5;

    /// <summary>
    /// The gateway's bucket holds one second of its rate: a larger burst would let a flood place tens
    /// of thousands of clients in the few slots just ahead of the sender, and make those slots late.
    /// </summary>
    public const int GatewayBurstSeconds = 1;

    internal const int PrefixBuckets = 1 << 16;

    private readonly TokenBucket[] _prefixes = new TokenBucket[PrefixBuckets];
    private TokenBucket _gateway;

    /// <summary>
    /// Which rate a new client from <paramref name="prefix"/> would exceed now, or null if none; takes
    /// nothing (the caller may still refuse it for capacity).
    /// </summary>
    public DropReason? Check(PackedAddress prefix, bool prefixExempt, long nowMs)
    {
        if (!prefixExempt && !_prefixes[BucketOf(prefix)].HasToken(nowMs, perSecondPerPrefix, perSecondPerPrefix * (double)PrefixBurstSeconds))
        {
            return DropReason.PrefixRateLimited;
        }
        return _gateway.HasToken(nowMs, perSecond, perSecond * (double)GatewayBurstSeconds) ? null : DropReason.GatewayRateLimited;
    }

    /// <summary>Takes the tokens of a client that <see cref="Check"/> let through and that was added.</summary>
    public void Take(PackedAddress prefix, bool prefixExempt)
    {
        if (!prefixExempt) _prefixes[BucketOf(prefix)].Take();
        _gateway.Take();
    }

    /// <summary>
    /// Keyed per process: with an unkeyed hash an attacker computes offline a network that shares a
    /// victim network's bucket, and empties it with forged sources from his own.
    /// </summary>
    private static int BucketOf(PackedAddress prefix) => KeyedHash.Of(prefix.High, prefix.Low) & (PrefixBuckets - 1);
}
