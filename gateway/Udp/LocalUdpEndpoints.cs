using System.Net;
using System.Net.NetworkInformation;
using TixTrigger.Endpoints;
using TixTrigger.Messages;

namespace TixTrigger.Gateway.Udp;

/// <summary>Where this gateway's socket receives: its port on its bound address, or on every address of the host for a wildcard.</summary>
internal static class LocalUdpEndpoints
{
    public static GatewayUdpEndpoints Of(IPEndPoint bound)
    {
        bool wildcard = ListenAddress.IsWildcard(bound.Address);
        PackedAddress[] addresses = wildcard ? HostAddresses() : [PackedAddress.From(bound.Address)];
        return new GatewayUdpEndpoints((ushort)bound.Port, addresses, wildcard, Environment.MachineName);
    }

    /// <summary>Read again at every announcement: an address added later (DHCP, a new interface) is announced too.</summary>
    private static PackedAddress[] HostAddresses()
    {
        try
        {
            return [.. NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
                .Select(unicast => PackedAddress.From(unicast.Address))
                .Distinct()];
        }
        catch (NetworkInformationException)
        {
            // Loopback is covered by the wildcard rule; the rest comes with the next announcement.
            return [PackedAddress.From(IPAddress.Loopback), PackedAddress.From(IPAddress.IPv6Loopback)];
        }
    }
}
