using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TixTrigger.Hosting;

namespace TixTrigger.Gateway.Hosting;

/// <summary>
/// Connects the Orleans client in the background. Orleans' own hosted client blocks the host's
/// start until it reaches the cluster, and retries forever while Redis or every silo is down; a
/// gateway must listen, ping and answer its probes meanwhile, and hand its clients to the cluster
/// once it answers.
/// </summary>
internal sealed partial class ClusterConnection(IClusterClient client, ClusterConnectionStatus status, ILogger<ClusterConnection> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ((IHostedService)client).StartAsync(stoppingToken);
            status.MarkConnected();
            LogConnected();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (status.IsConnected) await ((IHostedService)client).StopAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the cluster")]
    private partial void LogConnected();
}

public static class ClusterConnectionExtensions
{
    /// <summary>
    /// An Orleans client that connects in the background (the host starts, and the gateway listens,
    /// at once), with readiness following its connection to the silos.
    /// </summary>
    public static IHostApplicationBuilder UseOrleansClientInBackground(this IHostApplicationBuilder builder, Action<IClientBuilder> configure)
    {
        var before = builder.Services.Where(service => service.ServiceType == typeof(IHostedService)).ToList();
        var status = new ClusterConnectionStatus();
        builder.UseOrleansClient(client =>
        {
            configure(client);
            client.AddClusterConnectionStatusObserver(status);
        });
        var added = builder.Services.Where(service => service.ServiceType == typeof(IHostedService)).Except(before).ToList();
        if (added.Count != 1) throw new InvalidOperationException($"Expected the Orleans client to register one hosted service, found {added.Count}.");
        builder.Services.Remove(added[0]);
        builder.Services.AddSingleton(status);
        builder.Services.AddHostedService<ClusterConnection>();
        builder.Services.AddHealthChecks().AddCheck("cluster", status, tags: [ProbeEndpoints.Ready]);
        return builder;
    }
}
