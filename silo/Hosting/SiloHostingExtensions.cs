using Orleans.Dashboard;
using System.Net;
using Orleans.Configuration;
using TixTrigger.Hosting;
using TixTrigger.Settings;
using TixTrigger.Silo.Placement;

namespace TixTrigger.Silo.Hosting;

public static class SiloHostingExtensions
{
    /// <summary>Localhost clustering for a single node; Redis membership for a cluster.</summary>
    public static ISiloBuilder UseTixTriggerClustering(this ISiloBuilder silo, NodeOptions node)
    {
        if (node.RedisConnection is { } redis)
        {
            var redisOptions = RedisSettings.Parse(redis);
            silo.UseRedisClustering(options => options.ConfigurationOptions = redisOptions);
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = node.ClusterId;
                options.ServiceId = node.ServiceId;
            });
            silo.ConfigureEndpoints(node.AdvertisedIP ?? IPAddress.Loopback, node.SiloPort, node.OrleansGatewayPort, listenOnAnyHostAddress: true);
            silo.UseFastFailureDetection();
        }
        else
        {
            silo.UseLocalhostClustering(node.SiloPort, node.OrleansGatewayPort, serviceId: node.ServiceId, clusterId: node.ClusterId);
        }
        return silo;
    }

    /// <summary>
    /// Notices a dead silo in about a second (defaults: ~6.5 s) so that its shards reactivate on a
    /// survivor and are refilled quickly. Pings never wait for this (gateways ping from their
    /// mirrors), but new clients of a dead silo's grains do.
    /// </summary>
    public static ISiloBuilder UseFastFailureDetection(this ISiloBuilder silo)
    {
        silo.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = TimeSpan.FromSeconds(1);
            options.NumMissedProbesLimit = 2;
            options.NumVotesForDeathDeclaration = 1;
        });
        silo.Configure<SiloMessagingOptions>(options =>
        {
            options.ResponseTimeout = TimeSpan.FromSeconds(5);
            options.ClientDropTimeout = TimeSpan.FromSeconds(5);
        });
        return silo;
    }

    /// <summary>Shards are placed, and moved when silos join or leave, by rendezvous hashing.</summary>
    public static ISiloBuilder AddShardPlacement(this ISiloBuilder silo)
    {
        silo.Services.AddPlacementDirector<ShardPlacement, ShardPlacementDirector>();
        return silo;
    }

    /// <summary>The Orleans Dashboard's data collection; every silo of a cluster needs it for the dashboard to work.</summary>
    public static ISiloBuilder AddTixTriggerDashboard(this ISiloBuilder silo)
    {
        silo.AddDashboard();
        return silo;
    }
}
