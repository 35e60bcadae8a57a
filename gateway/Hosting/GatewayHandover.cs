using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Gateway.Handover;

namespace TixTrigger.Gateway.Hosting;

/// <summary>
/// The hand-over's part in a gateway process's start: before anything binds, take the sockets and clients of a
/// running gateway with the same settings, or else open METRICS_PORT itself (so that it can hand it on later).
/// Done just before the host is built, as late as can be: the old process stops receiving meanwhile (datagrams queue).
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
        return OperatingSystem.IsLinux() && settings.Supported ? PrepareOnLinux() : null;
    }

    [SupportedOSPlatform("linux")]
    private string? PrepareOnLinux()
    {
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
            // The gateway reads the clients, and asks where to start pinging once it has them.
            Takeover = new GatewayTakeover(predecessor.Socket, predecessor.State, () => predecessor.AskFirstSlotAsync(CancellationToken.None));
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
