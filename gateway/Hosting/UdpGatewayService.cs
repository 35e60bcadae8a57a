using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Status;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Hosting;

/// <summary>
/// Runs a <see cref="UdpGateway"/> for as long as its host runs, once the Orleans client or silo
/// is up, and reports it to the status page.
/// </summary>
internal sealed class UdpGatewayService(UdpGatewayOptions options, IGrainFactory grains, ILoggerFactory loggers) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _reporting = Task.CompletedTask;

    /// <summary>The running gateway; null until the host has started it.</summary>
    public UdpGateway? Gateway { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var gateway = new UdpGateway(options, grains, loggers);
        gateway.Start();
        Gateway = gateway;
        var reporter = new GatewayReporter(gateway, options.ShardsPerGateway, grains, loggers.CreateLogger<GatewayReporter>());
        _reporting = Task.Run(() => reporter.RunAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await _reporting;
        if (Gateway is not null) await Gateway.StopAsync();
    }
}
