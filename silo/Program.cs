using TixTrigger.Gateway.Hosting;
using TixTrigger.Hosting;
using TixTrigger.Settings;
using TixTrigger.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (!StartupSettings.TryRead(builder.Configuration, RedisSettings.ReadNode, out var node)) return StartupSettings.InvalidSettingExitCode;
if (SiloHealthCheck.IsRequested(args)) return await SiloHealthCheck.RunAsync(node);
UdpGatewayOptions? gateway = null;
if (!node.IsClustered && !StartupSettings.TryRead(builder.Configuration, UdpGatewayOptions.FromConfiguration, out gateway)) return StartupSettings.InvalidSettingExitCode;

builder.Logging.UseTixTriggerLogging(node.LogLevel);
builder.WebHost.ListenForDashboard(node);
builder.UseOrleans(silo => silo.UseTixTriggerClustering(node).AddRendezvousPlacement().AddTixTriggerDashboard());
if (gateway is not null)
{
    // Single node: the UDP gateway lives in the silo's process and talks to it directly.
    builder.Services.AddUdpGateway(gateway);
}

var app = builder.Build();
app.MapTixTriggerDashboard(node);
return await app.RunUntilStoppedAsync(node);
