using System.Globalization;
using System.Text.RegularExpressions;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// One scrape of a single node's <c>/metrics</c>, read as Prometheus reads it: what an operator
/// sees of a node from outside its process.
/// </summary>
public sealed partial class NodeMetrics
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private NodeMetrics(string text) => Text = text;

    public string Text { get; }

    public static async Task<NodeMetrics> ScrapeAsync(SingleNode node) => new(await Http.GetStringAsync(node.Url("/metrics")));

    public double PingsSent => Sum("tixtrigger_pings_sent_total");

    public double Clients => Sum("tixtrigger_clients");

    /// <summary>The sum of a metric's samples, those with <paramref name="label"/>=<paramref name="value"/> when given.</summary>
    public double Sum(string name, string? label = null, string? value = null) =>
        Sample().Matches(Text)
            .Where(match => match.Groups["name"].Value == name)
            .Where(match => label is null || match.Groups["labels"].Value.Contains($"{label}=\"{value}\"", StringComparison.Ordinal))
            .Sum(match => double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));

    /// <summary>The non-zero <c>tixtrigger_drops_total</c> by reason, as one line: "Echo 12, OverCapacity 40".</summary>
    public string Drops()
    {
        var drops = Sample().Matches(Text)
            .Where(match => match.Groups["name"].Value == "tixtrigger_drops_total")
            .Select(match => (Reason: Regex.Match(match.Groups["labels"].Value, "reason=\"([^\"]*)\"").Groups[1].Value,
                Count: double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .Where(drop => drop.Count > 0)
            .Select(drop => $"{drop.Reason} {drop.Count}");
        return string.Join(", ", drops) is { Length: > 0 } line ? line : "none";
    }

    [GeneratedRegex(@"(?m)^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[^}]*\})? (?<value>\S+)$")]
    private static partial Regex Sample();
}
