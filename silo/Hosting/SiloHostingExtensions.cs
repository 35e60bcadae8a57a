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
        var listen = OrleansListenAddress(node);
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

    /// <summary>Where the Orleans ports listen: loopback for a single node (localhost clustering), else ORLEANS_LISTEN_IP or ADVERTISED_IP.</summary>
    private static IPAddress OrleansListenAddress(NodeOptions node) =>
        node.IsClustered ? node.ListenIP ?? node.AdvertisedIP ?? IPAddress.Loopback : IPAddress.Loopback;

    /// <summary>The Orleans ports where this silo binds them, for the check before anything starts.</summary>
    public static ListenPorts OrleansPorts(this ListenPorts ports, NodeOptions node)
    {
        var address = OrleansListenAddress(node);
        string? setting = !node.IsClustered ? null : node.ListenIP is not null ? "ORLEANS_LISTEN_IP" : node.AdvertisedIP is not null ? "ADVERTISED_IP" : null;
        return ports.Tcp("ORLEANS_SILO_PORT", node.SiloPort, address, setting).Tcp("ORLEANS_GATEWAY_PORT", node.OrleansGatewayPort, address, setting);
    }

    /// <summary>
    /// Tells a death from a stall. A killed silo's sockets close, so with short probes (1 s, 2
    /// missed, 1 vote) it is declared dead in about a second (defaults: ~6.5 s) and its shards come
    /// back on a survivor at once. A stalled one (a long GC, a paused VM) still has open connections
    /// that carried messages recently: Orleans' connection liveness check then withholds the votes
    /// for up to MaxProbeTimeout × missed probes (6 s), so a stall of a few seconds is not mistaken
    /// for a death. Pinging depends on neither: gateways ping from their own mirrors.
    /// </summary>
    public static ISiloBuilder UseFastFailureDetection(this ISiloBuilder silo)
    {
        silo.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = TimeSpan.FromSeconds(1);
            options.MaxProbeTimeout = TimeSpan.FromSeconds(3);
            options.NumMissedProbesLimit = 2;
            options.NumVotesForDeathDeclaration = 1;
            options.EnableConnectionLivenessCheck = true;
        });
        silo.Configure<SiloMessagingOptions>(options =>
        {
            options.ResponseTimeout = TimeSpan.FromSeconds(5);
            options.ClientDropTimeout = TimeSpan.FromSeconds(5);
        });
        return silo;
    }

    /// <summary>
    /// Shards and client partitions are placed, and moved when silos join or leave, by rendezvous
    /// hashing over the active silos.
    /// </summary>
    public static ISiloBuilder AddRendezvousPlacement(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<HomeKeeper>();
        silo.Services.AddPlacementDirector<RendezvousPlacement, RendezvousPlacementDirector>();
        // The default directory deactivates a survivor's grains whose directory entries lived on a
        // stopping silo, and loses migrating ones to calls that re-create them empty; the distributed one keeps them.
#pragma warning disable ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        // No range lease: after a crash it would keep the dead silo's directory ranges, and so our
        // shards unreachable, for 30 s. A silo declared dead learns it within a second and exits; a
        // duplicate shard would only cost its gateway a resync.
        silo.Configure<GrainDirectoryOptions>(options =>
        {
            options.RangeLeaseDuration = TimeSpan.Zero;
            // The cache of grain addresses is allocated at its full size up front: 9 MiB for the default
            // million entries. Shards, partitions and budgets number in the thousands.
            options.CacheSize = 100_000;
        });
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
