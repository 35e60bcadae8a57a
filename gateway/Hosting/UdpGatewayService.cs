using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Hosting;

/// <summary>Runs a <see cref="UdpGateway"/> for as long as its host runs.</summary>
internal sealed class UdpGatewayService(UdpGatewayOptions options, IGrainFactory grains, ILoggerFactory loggers) : IHostedService
{
    private UdpGateway? _gateway;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _gateway = new UdpGateway(options, grains, loggers);
        _gateway.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _gateway?.StopAsync() ?? Task.CompletedTask;
}
