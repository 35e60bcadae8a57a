using Orleans.Dashboard;
using System.Net;
using Orleans.Configuration;
using TixTrigger.Hosting;
using TixTrigger.Settings;
using TixTrigger.Silo.Placement;
using TixTrigger.Silo.Telemetry;

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
            silo.UseClusterEndpoints(node);
            silo.UseFastFailureDetection();
        }
        else
        {
            silo.UseLocalhostClustering(node.SiloPort, node.OrleansGatewayPort, serviceId: node.ServiceId, clusterId: node.ClusterId);
        }
        return silo;
    }

    /// <summary>
    /// A silo advertises ADVERTISED_IP and, unless ORLEANS_LISTEN_IP says otherwise, listens there
    /// only: its Orleans ports are not open on interfaces the cluster does not use. Containers
    /// whose advertised address is not their own (NAT) set ORLEANS_LISTEN_IP=0.0.0.0.
    /// </summary>
    public static ISiloBuilder UseClusterEndpoints(this ISiloBuilder silo, NodeOptions node)
    {
        var advertised = node.AdvertisedIP ?? IPAddress.Loopback;
        var listen = node.ListenIP ?? advertised;
        silo.Configure<EndpointOptions>(options =>
        {
            options.AdvertisedIPAddress = advertised;
            options.SiloPort = node.SiloPort;
            options.GatewayPort = node.OrleansGatewayPort;
            options.SiloListeningEndpoint = new IPEndPoint(listen, node.SiloPort);
            options.GatewayListeningEndpoint = new IPEndPoint(listen, node.OrleansGatewayPort);
        });
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
    public static ISiloBuilder AddTixTriggerDashboard(this ISiloBuilder silo, DashboardAccessOptions access)
    {
        // The live log stream shows client endpoints: off unless DASHBOARD_LOG_STREAM asks for it.
        silo.AddDashboard(options => options.HideTrace = !access.LogStream);
        return silo;
    }

    /// <summary>Members, ticks, snapshots and refills of the shards on this silo, for /metrics.</summary>
    public static ISiloBuilder AddShardMetrics(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<ShardMetrics>();
        return silo;
    }
}
