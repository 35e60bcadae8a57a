using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using TixTrigger.Gateway.Handover;
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
// A process started with a running gateway's settings takes over its sockets and clients (an upgrade without a missed ping).
var handover = new GatewayHandover(new HandoverSettings(gateway.GatewayId, gateway.Host, gateway.Port, node.MetricsPort));
builder.WebHost.ListenForProbes(node, handover);
builder.UseOrleansClientInBackground(client => client.UseTixTriggerClustering(node).UseClusterTls(node.TlsCertificate));
builder.Services.AddUdpGateway(gateway).AddGatewayHandover(handover).AddTixTriggerMetrics(node, "tixtrigger-gateway", gateway.GatewayId);

// Before building the host (Kestrel reads its listener then); the clients follow as the gateway starts.
if (handover.Prepare() is { } failure)
{
    Console.Error.WriteLine($"tixtrigger: {failure}");
    return StartupSettings.CannotStartExitCode;
}
// What a running gateway did not hand over must be free now: one line if not, before the host half-starts.
var ports = new ListenPorts();
if (handover.Predecessor is null) ports.Udp("PORT", gateway.Port, gateway.Host, "HOST");
if (handover.MetricsListener is null) ports.Tcp("METRICS_PORT", node.MetricsPort, IPAddress.IPv6Any);
if (!ports.AllBindable()) return StartupSettings.CannotStartExitCode;

var app = builder.Build();
app.MapGatewayEndpoints();
try
{
    return await app.RunOrExplainAsync("gateway", $"PORT={gateway.Port}, METRICS_PORT={node.MetricsPort}");
}
catch (Exception error) when (HandoverException.Find(error) is { } handoverError)
{
    Console.Error.WriteLine($"tixtrigger: cannot take over the running gateway with {handover.Settings}: {handoverError.Message}");
    return StartupSettings.CannotStartExitCode;
}
