using Microsoft.Extensions.Logging;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Pinging;
using TixTrigger.Grains;
using TixTrigger.Messages;

namespace TixTrigger.Gateway.Heartbeats;

/// <summary>
/// Forwards heartbeats to their client grains without holding up the receiving thread, with a
/// bound on how many may wait for the cluster at once (memory stays bounded under a flood).
/// </summary>
internal sealed class HeartbeatForwarder(IGrainFactory grains, string gatewayId, PingMirror mirror, GatewayMetrics metrics, ILogger logger)
{
    private const int MaxInFlight = 20_000;

    private int _inFlight;
    private readonly LogThrottle _failureLog = new();

    public bool TryForward(ClientEndpoint client, PackedAddress local, int shard, long deadlineUnixMs)
    {
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }
        _ = ForwardAsync(new Heartbeat(client, local, gatewayId, shard, deadlineUnixMs));
        return true;
    }

    private async Task ForwardAsync(Heartbeat heartbeat)
    {
        try
        {
            var held = await grains.GetGrain<IClientGrain>(heartbeat.Client.ToString()).Heartbeat(heartbeat);
            mirror.Confirm(held);
        }
        catch (Exception error)
        {
            // The mirror already pings the client; its shard learns of it from the next heartbeat,
            // or from this gateway's refill if the shard was lost with its silo.
            metrics.CountForwardFailure();
            if (_failureLog.ShouldLog())
            {
                logger.LogWarning("Heartbeats are not reaching the cluster ({Failures} so far): {Error}", metrics.ForwardFailures, error.Message);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
