using System.Diagnostics;
using StackExchange.Redis;
using TixTrigger.Hosting;

namespace TixTrigger.Silo.Hosting;

/// <summary>
/// A clustered silo cannot start without the membership table in Redis. Asked before anything starts, with the
/// patience Orleans' own start has (about 15 s), so that Redis out of reach is one line naming REDIS_CONNECTION
/// instead of Orleans' stack traces and an unhandled exception.
/// </summary>
public static class RedisMembershipCheck
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>Whether Redis answers; if it does not within <see cref="Patience"/>, the one line saying so is on stderr.</summary>
    public static async Task<bool> AnswersAsync(string connection)
    {
        var waited = Stopwatch.StartNew();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisSettings.Parse(connection));
        while (true)
        {
            try
            {
                await redis.GetDatabase().PingAsync();
                return true;
            }
            catch (Exception error) when (error is RedisException or RedisTimeoutException)
            {
                if (waited.Elapsed < Patience)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500));
                    continue;
                }
                string why = error is RedisConnectionException refused ? refused.FailureType.ToString() : "no answer";
                Console.Error.WriteLine($"tixtrigger: cannot start: REDIS_CONNECTION={RedisConnectionText.WithoutSecrets(connection)} did not answer in {Patience.TotalSeconds:0} s ({why}): a clustered silo keeps the membership there; start Redis, or check its address and password");
                return false;
            }
        }
    }
}
