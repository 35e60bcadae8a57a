using System.Net;

namespace TixTrigger.Bench.Options;

/// <summary>Reads IP literals only: the bench must never send load anywhere a name happens to resolve to.</summary>
internal static class AddressParser
{
    public static IPEndPoint Endpoint(string option, string text)
    {
        string trimmed = text.Trim();
        if (IPEndPoint.TryParse(trimmed, out var endpoint) && endpoint.Port != 0 && HasExplicitPort(trimmed))
        {
            return endpoint;
        }
        throw new FormatException($"{option} takes ADDRESS:PORT with an IP address, e.g. 127.0.0.1:7561 or [::1]:7561, not '{text}'");
    }

    public static IReadOnlyList<IPEndPoint> Endpoints(string option, string text) =>
        SplitList(option, text).Select(item => Endpoint(option, item)).ToArray();

    public static IReadOnlyList<IPAddress> Addresses(string option, string text) =>
        SplitList(option, text)
            .Select(item => IPAddress.TryParse(item, out var address)
                ? address
                : throw new FormatException($"{option} takes IP addresses separated by commas, not '{item}'"))
            .ToArray();

    private static string[] SplitList(string option, string text)
    {
        string[] items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return items.Length > 0 ? items : throw new FormatException($"{option} needs at least one value");
    }

    // IPEndPoint.TryParse accepts a bare address (port 0) and reads "::1" as an address, not as host ":" port.
    private static bool HasExplicitPort(string text) =>
        text.StartsWith('[') ? text.Contains("]:", StringComparison.Ordinal) : text.Count(c => c == ':') == 1;
}
