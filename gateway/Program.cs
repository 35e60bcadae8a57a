using Microsoft.Extensions.Hosting;
using TixTrigger.Gateway.Hosting;
using TixTrigger.Hosting;
using TixTrigger.Settings;

// A standalone UDP gateway: an Orleans client of the cluster whose membership is in Redis.
var builder = Host.CreateApplicationBuilder(args);
if (!StartupSettings.TryRead(builder.Configuration, RedisSettings.ReadNode, out var node)) return StartupSettings.InvalidSettingExitCode;
if (!StartupSettings.TryRead(builder.Configuration, UdpGatewayOptions.FromConfiguration, out var gateway)) return StartupSettings.InvalidSettingExitCode;
if (GatewayHealthCheck.IsRequested(args)) return await GatewayHealthCheck.RunAsync(gateway);
if (!node.IsClustered)
{
    Console.Error.WriteLine("tixtrigger: REDIS_CONNECTION= is not valid: a standalone gateway needs REDIS_CONNECTION, the cluster's Redis (for one node, run the silo alone: it has a gateway built in).");
    return StartupSettings.InvalidSettingExitCode;
}

builder.Logging.UseTixTriggerLogging(node.LogLevel);
builder.UseOrleansClientInBackground(client => client.UseTixTriggerClustering(node));
builder.Services.AddUdpGateway(gateway);

return await builder.Build().RunOrExplainAsync($"PORT={gateway.Port}");
