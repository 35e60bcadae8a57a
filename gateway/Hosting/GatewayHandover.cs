using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Gateway.Handover;

namespace TixTrigger.Gateway.Hosting;

/// <summary>
/// The hand-over's part in a gateway process's start: before anything binds, take the sockets of a running gateway
/// with the same settings, or else open METRICS_PORT itself (so that it can hand it on later); then, as the gateway
/// starts, the running one's clients.
/// </summary>
internal sealed class GatewayHandover(HandoverSettings settings)
{
    public HandoverSettings Settings => settings;

    /// <summary>The METRICS_PORT listener Kestrel serves on (null where hand-overs are not supported: Kestrel binds it).</summary>
    public Socket? MetricsListener { get; private set; }

    /// <summary>The running gateway this process took over from, until it has stopped pinging.</summary>
    public Predecessor? Predecessor { get; private set; }

    /// <summary>
    /// The predecessor's socket and clients, for the gateway's start (null when this process starts afresh). Called
    /// as the gateway starts, with the host built: the old process stops receiving only now, for the transfer and restore.
    /// </summary>
    /// <exception cref="HandoverException">The old process is gone or stuck; this one cannot start in its place.</exception>
    public GatewayTakeover? TakeClients() => OperatingSystem.IsLinux() && Predecessor is { } predecessor ? TakeClients(predecessor) : null;

    [SupportedOSPlatform("linux")]
    private static GatewayTakeover TakeClients(Predecessor predecessor)
    {
        var clients = predecessor.FetchClients(CancellationToken.None);
        // The gateway asks where to start pinging once it has restored them.
        return new GatewayTakeover(predecessor.Socket, clients, () => predecessor.AskFirstSlotAsync(CancellationToken.None));
    }

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
