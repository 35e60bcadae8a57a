using System.Net;
using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.Udp;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Cluster;

/// <summary>
/// Tells the gateway directory, each announcement round, that this gateway is alive and where its
/// UDP socket receives, and learns where every other gateway's does: no gateway registers a gateway
/// of its cluster (itself included) as a client, since each one's pings would be the other's
/// heartbeats, forever. This gateway's own endpoints are refused from the start, before the cluster answers.
/// </summary>
internal sealed partial class PeerGateways(IGrainFactory grains, UdpGatewayOptions options, IPEndPoint bound, PingMirror mirror, ILogger logger, Func<bool> connected)
{
    private readonly LogThrottle _failureLog = new();

    public GatewayUdpEndpoints Own { get; private set; } = LocalUdpEndpoints.Of(bound);

    /// <summary>Refuses this gateway's own endpoints: call before the socket is read.</summary>
    public void Start() => Learn([Own]);

    /// <summary>One round: announces this gateway to the directory and learns the others. Never throws.</summary>
    public async Task ExchangeAsync()
    {
        // A standalone gateway connects in the background; until then there is no directory to ask.
        if (!connected()) return;
        try
        {
            Own = LocalUdpEndpoints.Of(bound);
            var directory = grains.GetGrain<IGatewayDirectoryGrain>(0);
            await directory.Announce(new GatewayAnnouncement(options.GatewayId, options.ShardsPerGateway, Own));
            var gateways = await directory.GetGateways();
            // A gateway that stopped, or of an older version, announces no endpoints.
            Learn(gateways.Gateways.Select(gateway => gateway.Udp).OfType<GatewayUdpEndpoints>().Append(Own));
        }
        catch (Exception error)
        {
            if (!Tasks.ClusterErrors.IsOutage(error)) LogBug(error);
            else if (_failureLog.ShouldLog()) LogUnreachable(error.Message);
        }
    }

    /// <summary>
    /// Stopping: tells the directory this gateway listens nowhere any more, so that the others stop
    /// refusing its port (a client on its host may get it next). The directory keeps the gateway
    /// itself: its shards still hold its clients for its restart.
    /// </summary>
    public Task AnnounceStoppedAsync() => connected()
        ? grains.GetGrain<IGatewayDirectoryGrain>(0).Announce(new GatewayAnnouncement(options.GatewayId, options.ShardsPerGateway, Udp: null))
        : Task.CompletedTask;

    /// <summary>Takes a new list of the cluster's gateways; an entry that is one of them goes at once.</summary>
    public void Learn(IEnumerable<GatewayUdpEndpoints> gateways)
    {
        if (!mirror.Settings.Admission.Gateways.Update(gateways)) return;
        int removed = mirror.RemoveClusterGateways();
        if (removed > 0)
        {
            LogRemovedGateways(removed);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The gateway directory is unreachable for now; pinging goes on from the mirror: {Error}")]
    private partial void LogUnreachable(string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Exchanging with the gateway directory failed (a bug, not an outage); it is retried")]
    private partial void LogBug(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {Count} clients that were UDP endpoints of this cluster's gateways (a forged heartbeat, or one that came before the gateways knew each other)")]
    private partial void LogRemovedGateways(int count);
}
