using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.Status;
using TixTrigger.Gateway.Udp;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Cluster;

/// <summary>
/// Announces this gateway to the gateway registry each round, with where its UDP socket receives and
/// its status report (<see cref="GatewayReporter"/>), and learns where every other gateway's socket
/// does: no gateway registers a gateway of its cluster (itself included) as a client, since each
/// one's pings would be the other's heartbeats, forever. Its own endpoints are refused from the start, before the cluster answers.
/// </summary>
internal sealed partial class PeerGateways(UdpGateway gateway, IGrainFactory grains, UdpGatewayOptions options, PingMirror mirror, ILogger logger, Func<bool> connected)
{
    private readonly ClusterFailureLog _failures = new(logger, "The gateway registry");
    private readonly GatewayReporter _reporter = new(gateway, grains, logger);

    public GatewayUdpEndpoints Own { get; private set; } = LocalUdpEndpoints.Of(gateway.LocalEndpoint);

    /// <summary>Refuses this gateway's own endpoints: call before the socket is read.</summary>
    public void Start() => Learn([Own]);

    /// <summary>One round: announces this gateway to the registry and learns the others. Never throws.</summary>
    public async Task ExchangeAsync()
    {
        // A standalone gateway connects in the background; until then there is no registry to tell.
        if (!connected()) return;
        try
        {
            Own = LocalUdpEndpoints.Of(gateway.LocalEndpoint);
            var gateways = await Registry.Announce(new GatewayAnnouncement(Own, _reporter.Next()));
            Learn(gateways.Append(Own));
        }
        catch (Exception error)
        {
            _failures.Failed(error);
        }
    }

    /// <summary>
    /// Stopping: tells the registry this gateway listens nowhere any more, so that the others stop
    /// refusing its port (a client on its host may get it next); the status page can no longer ask it.
    /// </summary>
    public async Task AnnounceStoppedAsync()
    {
        if (!connected()) return;
        try
        {
            await Registry.Stopped(options.GatewayId);
        }
        finally
        {
            _reporter.ForgetLookup();
        }
    }

    /// <summary>Takes a new list of the cluster's gateways; an entry that is one of them goes at once.</summary>
    public void Learn(IEnumerable<GatewayUdpEndpoints> gateways)
    {
        if (!mirror.Context.Admission.Gateways.Update(gateways)) return;
        int removed = mirror.RemoveClusterGateways();
        if (removed > 0)
        {
            LogRemovedGateways(removed);
        }
    }

    private IGatewayRegistryGrain Registry => grains.GetGrain<IGatewayRegistryGrain>(0);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {Count} clients that were UDP endpoints of this cluster's gateways (a forged heartbeat, or one that came before the gateways knew each other)")]
    private partial void LogRemovedGateways(int count);
}
