using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using StackExchange.Redis;
using TixTrigger.Settings;

namespace TixTrigger.Silo.Hosting;

public static class SiloHostingExtensions
{
    /// <summary>Localhost clustering for a single node; Redis membership for a cluster.</summary>
    public static ISiloBuilder UseTixTriggerClustering(this ISiloBuilder silo, NodeOptions node)
    {
        if (node.RedisConnection is { } redis)
        {
            var redisOptions = ConfigurationOptions.Parse(redis);
            // A silo must not give up on Redis while it restarts: it keeps retrying instead.
            redisOptions.AbortOnConnectFail = false;
            silo.UseRedisClustering(options => options.ConfigurationOptions = redisOptions);
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = node.ClusterId;
                options.ServiceId = node.ServiceId;
            });
            silo.ConfigureEndpoints(node.AdvertisedIP ?? IPAddress.Loopback, node.SiloPort, node.OrleansGatewayPort, listenOnAnyHostAddress: true);
        }
        else
        {
            silo.UseLocalhostClustering(node.SiloPort, node.OrleansGatewayPort, serviceId: node.ServiceId, clusterId: node.ClusterId);
        }
        return silo;
    }

    /// <summary>The Orleans Dashboard's data collection; every silo of a cluster needs it for the dashboard to work.</summary>
    public static ISiloBuilder AddTixTriggerDashboard(this ISiloBuilder silo, NodeOptions node)
    {
        if (node.DashboardPort != 0) silo.AddDashboard();
        return silo;
    }
}
