using System.Net;
using System.Text;

namespace TixTrigger.Gateway.Handover;

/// <summary>
/// What makes two gateway processes the same gateway: a new process takes over a running one only when
/// all four match. The rendezvous is a Linux abstract Unix socket named from the id and the port: it needs
/// no file, vanishes with the process, and is per network namespace, as the UDP port is.
/// </summary>
public sealed record HandoverSettings(string GatewayId, IPAddress Host, int Port, int MetricsPort)
{
    private const string Version = "tixtrigger-handover/1";

    /// <summary>The abstract socket's name (the leading NUL puts it in the abstract namespace).</summary>
    public string SocketName => $"\0tixtrigger/gateway/{GatewayId}/{Port}";

    /// <summary>Only on Linux (abstract sockets, SCM_RIGHTS), and not for PORT=0, which no successor could name.</summary>
    public bool Supported => OperatingSystem.IsLinux() && Port != 0;

    public override string ToString() => $"GATEWAY_ID={GatewayId}, HOST={Host}, PORT={Port}, METRICS_PORT={MetricsPort}";

    public byte[] Encode() => Encoding.UTF8.GetBytes($"{Version}\n{GatewayId}\n{Host}\n{Port}\n{MetricsPort}");

    public static HandoverSettings Decode(ReadOnlySpan<byte> bytes)
    {
        string[] lines = Encoding.UTF8.GetString(bytes).Split('\n');
        if (lines.Length != 5 || lines[0] != Version
            || !IPAddress.TryParse(lines[2], out var host) || !int.TryParse(lines[3], out int port) || !int.TryParse(lines[4], out int metricsPort))
        {
            throw new HandoverException($"the other process does not speak {Version}");
        }
        return new HandoverSettings(lines[1], host, port, metricsPort);
    }

    /// <summary>The settings that differ, as "HOST=a here, b there", or null when the two are the same gateway.</summary>
    public string? Difference(HandoverSettings running)
    {
        var differences = new List<string>();
        if (GatewayId != running.GatewayId) differences.Add($"GATEWAY_ID={GatewayId} here, {running.GatewayId} there");
        if (!Host.Equals(running.Host)) differences.Add($"HOST={Host} here, {running.Host} there");
        if (Port != running.Port) differences.Add($"PORT={Port} here, {running.Port} there");
        if (MetricsPort != running.MetricsPort) differences.Add($"METRICS_PORT={MetricsPort} here, {running.MetricsPort} there");
        return differences.Count == 0 ? null : string.Join("; ", differences);
    }
}
