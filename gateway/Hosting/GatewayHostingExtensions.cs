using Microsoft.Extensions.DependencyInjection;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Hosting;

public static class GatewayHostingExtensions
{
    /// <summary>Runs the UDP gateway in this host. It listens at once; the cluster hears of its clients once it is reachable.</summary>
    public static IServiceCollection AddUdpGateway(this IServiceCollection services, UdpGatewayOptions options)
    {
        services.AddSingleton(options);
        services.AddHostedService<UdpGatewayService>();
        return services;
    }
}
