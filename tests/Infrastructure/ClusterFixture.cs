using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TestingHost;
using TixTrigger.Gateway;
using TixTrigger.Settings;
using TixTrigger.Silo.Hosting;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// One real Orleans silo (in process) for all gateway and grain tests. Each test starts its own
/// gateway under its own id, so the tests' shards never meet.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private int _gateways;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddRendezvousPlacement());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public UdpGatewayOptions NewGatewayOptions(IPAddress host, int expirySeconds = 120) => new()
    {
        Host = host,
        Port = 0,
        ClientExpirationSeconds = expirySeconds,
        ShardsPerGateway = 4,
        GatewayId = $"test-{Interlocked.Increment(ref _gateways)}-{Guid.NewGuid():N}"[..24],
    };

    /// <summary>A gateway on this cluster's client, as a standalone gateway process runs it.</summary>
    public UdpGateway StartGateway(UdpGatewayOptions options)
    {
        var gateway = new UdpGateway(options, Cluster.Client, NullLoggerFactory.Instance);
        gateway.Start();
        return gateway;
    }

    public UdpGateway StartGateway(IPAddress host, int expirySeconds = 120) => StartGateway(NewGatewayOptions(host, expirySeconds));
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
