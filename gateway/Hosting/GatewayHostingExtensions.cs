using Microsoft.Extensions.DependencyInjection;
using TixTrigger.Hosting;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Hosting;

public static class GatewayHostingExtensions
{
    /// <summary>
    /// Runs the UDP gateway in this host, with its probes: live while its sending and receiving loops run, ready
    /// once its UDP port is bound. It listens at once; the cluster hears of its clients once it is reachable.
    /// </summary>
    public static IServiceCollection AddUdpGateway(this IServiceCollection services, UdpGatewayOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<UdpGatewayService>();
        services.AddHostedService(provider => provider.GetRequiredService<UdpGatewayService>());
        services.AddHealthChecks()
            .AddCheck<GatewayLoopsCheck>("gateway-loops", tags: [ProbeEndpoints.Live])
            .AddCheck<UdpPortCheck>("udp", tags: [ProbeEndpoints.Ready]);
        return services;
    }
}
