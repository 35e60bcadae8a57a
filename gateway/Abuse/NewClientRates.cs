using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;

namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// Token buckets on new registrations, one per gateway and one per source prefix, as DNS Response
/// Rate Limiting keeps them: a fixed table of buckets indexed by a hash of the prefix, so a flood
/// from a million networks costs no more memory than one from a single network. Two prefixes that
/// share a bucket share its rate (stricter for both, never looser). Refreshes of known clients
/// take no token: only a registration can be a forger's first step.
/// Not thread-safe: <see cref="AdmissionControl"/> calls it under its lock.
/// </summary>
internal sealed class NewClientRates(int perSecond, int perSecondPerPrefix)
{
    /// <summary>A bucket holds this many seconds of its rate: a sign-up burst (every app restarting at once) passes.</summary>
    public const int BurstSeconds = 5;

    private const int PrefixBuckets = 1 << 16;

    private readonly TokenBucket[] _prefixes = new TokenBucket[PrefixBuckets];
    private TokenBucket _gateway;

    /// <summary>
    /// Which rate a new client from <paramref name="prefix"/> would exceed now, or <see cref="Admission.Added"/>
    /// if none; takes nothing (the caller may still refuse it for capacity).
    /// </summary>
    public Admission Check(PackedAddress prefix, bool prefixExempt, long nowMs)
    {
        if (!prefixExempt && !_prefixes[BucketOf(prefix)].HasToken(nowMs, perSecondPerPrefix, perSecondPerPrefix * (double)BurstSeconds))
        {
            return Admission.PrefixRateLimited;
        }
        return _gateway.HasToken(nowMs, perSecond, perSecond * (double)BurstSeconds) ? Admission.Added : Admission.GatewayRateLimited;
    }

    /// <summary>Takes the tokens of a client that <see cref="Check"/> let through and that was added.</summary>
    public void Take(PackedAddress prefix, bool prefixExempt)
    {
        if (!prefixExempt) _prefixes[BucketOf(prefix)].Take();
        _gateway.Take();
    }

    private static int BucketOf(PackedAddress prefix) => (int)(prefix.StableHash() & (PrefixBuckets - 1));
}
