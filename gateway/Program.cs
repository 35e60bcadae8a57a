using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using TixTrigger.Gateway.Hosting;
using TixTrigger.Hosting;
using TixTrigger.Settings;

// A standalone UDP gateway: an Orleans client of the cluster whose membership is in Redis.
var builder = WebApplication.CreateBuilder(args);
if (!StartupSettings.TryRead(builder.Configuration, RedisSettings.ReadNode, out var node)) return StartupSettings.InvalidSettingExitCode;
if (HealthCheckCommand.IsRequested(args)) return await HealthCheckCommand.RunAsync(node.MetricsPort);
if (!StartupSettings.TryRead(builder.Configuration, UdpGatewayOptions.FromConfiguration, out var gateway)) return StartupSettings.InvalidSettingExitCode;
if (!node.IsClustered)
{
    Console.Error.WriteLine("tixtrigger: REDIS_CONNECTION= is not valid: a standalone gateway needs REDIS_CONNECTION, the cluster's Redis (for one node, run the silo alone: it has a gateway built in).");
    return StartupSettings.InvalidSettingExitCode;
}

builder.Logging.UseTixTriggerLogging(node);
builder.WebHost.ListenForProbes(node);
builder.UseOrleansClientInBackground(client => client.UseTixTriggerClustering(node).UseClusterTls(node.TlsCertificate));
builder.Services.AddUdpGateway(gateway).AddTixTriggerMetrics(node, "tixtrigger-gateway", gateway.GatewayId);

var app = builder.Build();
app.MapGatewayEndpoints();
return await app.RunOrExplainAsync("gateway", $"PORT={gateway.Port}, METRICS_PORT={node.MetricsPort}");
