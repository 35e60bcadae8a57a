using Microsoft.Extensions.Configuration;
using StackExchange.Redis;
using TixTrigger.Settings;

namespace TixTrigger.Hosting;

public static class RedisSettings
{
    /// <summary>Reads the node's settings and checks that REDIS_CONNECTION, if set, parses.</summary>
    public static NodeOptions ReadNode(IConfiguration configuration)
    {
        var node = NodeOptions.FromConfiguration(configuration);
        if (node.RedisConnection is { } connection) Parse(connection);
        return node;
    }

    /// <summary>
    /// A StackExchange.Redis configuration string. A node must not give up on Redis while it
    /// restarts, so a failed connection is retried rather than fatal.
    /// </summary>
    public static ConfigurationOptions Parse(string connection)
    {
        try
        {
            var options = ConfigurationOptions.Parse(connection);
            options.AbortOnConnectFail = false;
            return options;
        }
        catch (ArgumentException error)
        {
            // The line goes to stderr and from there to logs: never with the password in it.
            throw new InvalidSettingException("REDIS_CONNECTION", RedisConnectionText.WithoutSecrets(connection),
                $"a StackExchange.Redis configuration string such as redis:6379 or host:6379,password=... ({RedisConnectionText.WithoutSecretsOf(connection, error.Message)})");
        }
    }
}
