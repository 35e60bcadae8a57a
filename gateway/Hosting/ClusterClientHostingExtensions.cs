using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using TixTrigger.Hosting;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Hosting;

public static class ClusterClientHostingExtensions
{
    /// <summary>
    /// Joins the cluster through Redis membership as an Orleans client. A UDP gateway may start before the
    /// silos (docker compose starts them together) or outlive them all for a while: it keeps
    /// pinging from its mirror and keeps trying to connect rather than exiting.
    /// </summary>
    public static IClientBuilder UseTixTriggerClustering(this IClientBuilder client, NodeOptions node)
    {
        var redis = RedisSettings.Parse(node.RedisConnection ?? throw new InvalidOperationException("REDIS_CONNECTION is required."));
        client.UseRedisClustering(options => options.ConfigurationOptions = redis);
        client.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = node.ClusterId;
            options.ServiceId = node.ServiceId;
        });
        client.Configure<ClientMessagingOptions>(options =>
        {
            // A call through a silo that just died must fail fast: the next heartbeat or
            // announcement retries it once membership has routed around the dead silo.
            options.ResponseTimeout = TimeSpan.FromSeconds(5);
        });
        // Orleans' gateway list: the silos this client may connect through, read again from Redis this often.
        client.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        client.UseConnectionRetryFilter(async (error, cancellation) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            return true;
        });
        return client;
    }
}
