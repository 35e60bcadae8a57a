using System.Net.Sockets;
using TixTrigger.Gateway.Handover;
using TixTrigger.Gateway.State;

namespace TixTrigger.Gateway.Hosting;

/// <summary>
/// The hand-over's part in a gateway process's start: before anything binds, take the sockets and clients of a
/// running gateway with the same settings, or else open METRICS_PORT itself (so that it can hand it on later).
/// Done after the host is built and just before it runs: the old process stops receiving meanwhile.
/// </summary>
internal sealed class GatewayHandover(HandoverSettings settings)
{
    public HandoverSettings Settings => settings;

    /// <summary>The METRICS_PORT listener Kestrel serves on (null where hand-overs are not supported: Kestrel binds it).</summary>
    public Socket? MetricsListener { get; private set; }

    /// <summary>The running gateway this process took over from, until it has stopped pinging.</summary>
    public Predecessor? Predecessor { get; private set; }

    /// <summary>Its socket and clients, for the gateway's start; null when this process starts afresh.</summary>
    public GatewayTakeover? Takeover { get; private set; }

    /// <summary>Takes over or opens METRICS_PORT; returns one line saying why this process cannot start, or null.</summary>
    public string? Prepare()
    {
        if (!OperatingSystem.IsLinux() || !settings.Supported) return null;
        try
        {
            Predecessor = HandoverClient.TryTakeOver(settings);
        }
        catch (HandoverException error)
        {
            return error.Message;
        }
        if (Predecessor is { } predecessor)
        {
            MetricsListener = predecessor.MetricsListener;
            try
            {
                Takeover = new GatewayTakeover(predecessor.Socket, GatewayStateFormat.Read(new MemoryStream(predecessor.State.ToArray(), writable: false)));
            }
            catch (InvalidDataException error)
            {
                // Hanging up makes the old process resume: nothing is lost.
                predecessor.Socket.Dispose();
                predecessor.Dispose();
                return $"cannot take over the running gateway with {settings}: its clients are unreadable ({error.Message}); it goes on";
            }
            return null;
        }
        try
        {
            MetricsListener = MetricsPortListener.Open(settings.MetricsPort);
        }
        catch (SocketException error)
        {
            return $"cannot start: {error.Message} (check METRICS_PORT={settings.MetricsPort})";
        }
        return null;
    }
}
