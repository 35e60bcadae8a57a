namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// A token bucket on the monotonic clock: <c>perSecond</c> tokens a second, up to <c>burst</c>.
/// A bucket never used is full. A value type, so a table of them is one array and costs no allocation.
/// </summary>
internal struct TokenBucket
{
    private double _tokens;
    private long _updatedMs;
    private bool _used;

    /// <summary>Whether a token is there now (refilling first); takes nothing.</summary>
    public bool HasToken(long nowMs, double perSecond, double burst)
    {
        if (!_used)
        {
            (_tokens, _updatedMs, _used) = (burst, nowMs, true);
        }
        else if (nowMs > _updatedMs)
        {
            _tokens = Math.Min(burst, _tokens + (nowMs - _updatedMs) * perSecond / 1000.0);
            _updatedMs = nowMs;
        }
        return _tokens >= 1;
    }

    /// <summary>Takes a token; call after <see cref="HasToken"/> said there is one.</summary>
    public void Take() => _tokens -= 1;
}
