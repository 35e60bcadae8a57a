namespace TixTrigger.Endpoints;

/// <summary>Wall-clock milliseconds: deadlines cross process boundaries, so they cannot be monotonic ticks.</summary>
public static class UnixTime
{
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
