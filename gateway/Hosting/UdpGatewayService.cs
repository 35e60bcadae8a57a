using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Hosting;

/// <summary>Runs a <see cref="UdpGateway"/> for as long as its host runs (from the start, with or without the cluster).</summary>
internal sealed class UdpGatewayService(UdpGatewayOptions options, IGrainFactory grains, ILoggerFactory loggers, IServiceProvider services) : IHostedService
{
    /// <summary>The running gateway; null until the host has started it.</summary>
    public UdpGateway? Gateway { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A standalone gateway's client connects in the background; a silo's gateway has the cluster at hand.
        var connection = services.GetService<ClusterConnectionStatus>();
        var gateway = new UdpGateway(options, grains, loggers, connection is null ? null : () => connection.IsConnected);
        // Another live process holds this GATEWAY_ID: this one has stopped pinging; end the process, non-zero.
        gateway.Refused += _ =>
        {
            Environment.ExitCode = 1;
            services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        };
        // A predecessor handing over (gateway/Handover) registers what it passed: its socket and clients.
        gateway.Start(services.GetService<GatewayTakeover>());
        Gateway = gateway;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The gateway first: its last registrations need the cluster client, which stops after this service.
        if (Gateway is not null) await Gateway.StopAsync();
    }
}
