using TixTrigger.Gateway.Hosting;
using TixTrigger.Hosting;
using TixTrigger.Settings;
using TixTrigger.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (!StartupSettings.TryRead(builder.Configuration, RedisSettings.ReadNode, out var node)) return StartupSettings.InvalidSettingExitCode;
if (!StartupSettings.TryRead(builder.Configuration, DashboardAccessOptions.FromConfiguration, out var access)) return StartupSettings.InvalidSettingExitCode;
if (HealthCheckCommand.IsRequested(args)) return await HealthCheckCommand.RunAsync(node.DashboardPort, access.ListenIP);
UdpGatewayOptions? gateway = null;
if (!node.IsClustered && !StartupSettings.TryRead(builder.Configuration, UdpGatewayOptions.FromConfiguration, out gateway)) return StartupSettings.InvalidSettingExitCode;

// A port another process holds is one line now, before the silo half-starts and the framework fails noisily.
var ports = new ListenPorts();
if (gateway is not null) ports.Udp("PORT", gateway.Port, gateway.Host, "HOST");
if (!ports.Dashboard(node, access).OrleansPorts(node).AllBindable()) return StartupSettings.CannotStartExitCode;
if (node.RedisConnection is { } redis && !await RedisMembershipCheck.AnswersAsync(redis)) return StartupSettings.CannotStartExitCode;

builder.Logging.UseTixTriggerLogging(node);
builder.WebHost.ListenForDashboard(node, access);
builder.UseOrleans(silo => silo.UseTixTriggerClustering(node).UseClusterTls(node.TlsCertificate).AddRendezvousPlacement().AddShardMetrics().AddTixTriggerDashboard(access));
builder.Services.AddTixTriggerMetrics(node, "tixtrigger-silo", $"{Environment.MachineName}:{node.SiloPort}").AddDashboardAccess(access);
if (gateway is not null)
{
    // Single node: the UDP gateway lives in the silo's process and talks to it directly.
    builder.Services.AddUdpGateway(gateway);
}

var app = builder.Build();
app.MapSiloEndpoints();
return await app.RunUntilStoppedAsync(node, access);
