using System.Collections.Frozen;
using TixTrigger.Endpoints;
using TixTrigger.Messages;

namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// The UDP endpoints of every gateway of this cluster, this one included, which no gateway
/// registers as a client: one datagram forged to come from gateway B and sent to gateway A would
/// otherwise make the two ping each other forever (each ping is the other's heartbeat). A loopback
/// address with a wildcard-bound gateway's port is that gateway, but only on the gateway's own host;
/// a stopped gateway's port may be anyone's. Read on every new client without a lock or an allocation; replaced whole when the list changes.
/// </summary>
internal sealed class ClusterGateways
{
    private sealed record Known(FrozenSet<ClientEndpoint> Exact, FrozenSet<ushort> AnyLoopbackPorts);

    private Known _known = new(FrozenSet<ClientEndpoint>.Empty, FrozenSet<ushort>.Empty);

    public bool Contains(ClientEndpoint client)
    {
        var known = Volatile.Read(ref _known);
        return known.Exact.Contains(client) || (client.Address.IsLoopback && known.AnyLoopbackPorts.Contains(client.Port));
    }

    /// <summary>Replaces the list; true if it changed (then entries already registered may have to go).</summary>
    public bool Update(IEnumerable<GatewayUdpEndpoints> gateways)
    {
        var exact = new HashSet<ClientEndpoint>();
        var anyLoopback = new HashSet<ushort>();
        foreach (var gateway in gateways)
        {
            bool here = gateway.Host == Environment.MachineName;
            foreach (var address in gateway.Addresses)
            {
                if (here || !address.IsLoopback) exact.Add(new ClientEndpoint(address, gateway.Port));
            }
            if (gateway.Wildcard && here) anyLoopback.Add(gateway.Port);
        }
        var current = Volatile.Read(ref _known);
        if (current.Exact.SetEquals(exact) && current.AnyLoopbackPorts.SetEquals(anyLoopback)) return false;
        Volatile.Write(ref _known, new Known(exact.ToFrozenSet(), anyLoopback.ToFrozenSet()));
        return true;
    }
}
