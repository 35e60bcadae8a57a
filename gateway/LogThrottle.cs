using TixTrigger.Time;

namespace TixTrigger.Gateway;

/// <summary>
/// Lets one caller through per interval: while the cluster is away, every heartbeat and every
/// announcement fails, and one warning every few seconds says as much as thousands would.
/// </summary>
internal sealed class LogThrottle(long intervalMs = 5_000)
{
    private long _lastMs = long.MinValue / 2;

    public bool ShouldLog()
    {
        long now = Monotonic.NowMs();
        long last = Interlocked.Read(ref _lastMs);
        return now - last >= intervalMs && Interlocked.CompareExchange(ref _lastMs, now, last) == last;
    }
}
