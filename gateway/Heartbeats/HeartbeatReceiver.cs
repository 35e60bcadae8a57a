using Microsoft.Extensions.Logging;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Pinging;
using TixTrigger.Gateway.Udp;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Heartbeats;

/// <summary>
/// Reads datagrams on a dedicated thread. Any datagram up to 64 bytes is a heartbeat: it
/// registers or refreshes its sender in the mirror at once (so the first ping leaves within
/// ~10 ms) and is forwarded to the cluster. Anything else is dropped and counted; nothing a
/// client sends can stop this loop.
/// </summary>
internal sealed class HeartbeatReceiver(
    IDatagramSocket socket,
    PingMirror mirror,
    HeartbeatForwarder forwarder,
    UdpGatewayOptions options,
    GatewayMetrics metrics,
    ILogger logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly long _expiryMs = options.ClientExpirationSeconds * 1000L;
    private Thread? _thread;
    private volatile bool _stopping;

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "tixtrigger-heartbeats" };
        _thread.Start();
    }

    public void Stop()
    {
        _stopping = true;
        _thread?.Join();
    }

    private void Run()
    {
        // Large enough for any UDP datagram, so a long one is measured, not mistaken for a short one.
        var buffer = GC.AllocateUninitializedArray<byte>(65_536);
        while (!_stopping)
        {
            try
            {
                if (socket.TryReceive(buffer, PollInterval, out var datagram)) Handle(datagram);
            }
            catch (Exception error)
            {
                // Never let one datagram (or a socket closing under us at shutdown) end the loop's thread.
                if (_stopping) return;
                metrics.CountReceiveError();
                logger.LogError(error, "Receiving a datagram failed");
            }
        }
    }

    private void Handle(in ReceivedDatagram datagram)
    {
        if (datagram.Length < 0)
        {
            metrics.CountDrop(DropReason.Malformed);
            return;
        }
        if (datagram.Length > UdpGatewayOptions.MaxHeartbeatBytes)
        {
            metrics.CountDrop(DropReason.Oversize);
            return;
        }

        long now = UnixTime.NowMs();
        long deadline = now + _expiryMs;
        int shard = datagram.Remote.ShardOf(options.ShardsPerGateway);
        switch (mirror.Admit(datagram.Remote, datagram.Local, deadline, now, shard))
        {
            case Admission.OverIpLimit:
                metrics.CountDrop(DropReason.OverIpLimit);
                return;
            case Admission.OverCapacity:
                metrics.CountDrop(DropReason.OverCapacity);
                return;
            case Admission.Coalesced:
                metrics.CountHeartbeat();
                metrics.CountCoalesced();
                return;
        }
        metrics.CountHeartbeat();
        if (logger.IsEnabled(LogLevel.Trace))
        {
            logger.LogTrace("Heartbeat from {Client} to {Local}", datagram.Remote, datagram.Local);
        }
        if (!forwarder.TryForward(datagram.Remote, datagram.Local, shard, deadline))
        {
            metrics.CountDrop(DropReason.Overloaded);
        }
    }
}
