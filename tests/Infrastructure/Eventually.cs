namespace TixTrigger.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; false if it never did within <paramref name="timeout"/>.</summary>
    public static Task<bool> True(Func<bool> condition, TimeSpan timeout) => True(() => Task.FromResult(condition()), timeout);

    /// <summary>
    /// Polls until <paramref name="condition"/> holds. A condition that throws (a grain call while
    /// the cluster is still routing around a dead silo) counts as not yet; the last attempt's
    /// exception, if it throws too, is what the caller sees.
    /// </summary>
    public static async Task<bool> True(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition()) return true;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
            }
            await Task.Delay(50);
        }
        return await condition();
    }
}
