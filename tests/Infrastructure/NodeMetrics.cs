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

    /// <summary>
    /// A scrape, or null and why not: a node that exited (its last lines of output), or a port that
    /// answers no more. The figures are a run's commentary, so their absence must not hide the run's result.
    /// </summary>
    public static async Task<(NodeMetrics? Metrics, string Problem)> TryScrapeAsync(SingleNode node)
    {
        if (node.Process.HasExited) return (null, "the node exited: " + node.Process.Describe());
        try
        {
            return (await ScrapeAsync(node), "");
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return (null, $"no metrics ({error.Message}); " + (node.Process.HasExited ? "the node exited: " + node.Process.Describe() : "the node still runs"));
        }
    }

    /// <summary>A node's figures for a report: clients, pings sent, drops; or why there are none.</summary>
    public static async Task<string> SummaryAsync(SingleNode node)
    {
        var (metrics, problem) = await TryScrapeAsync(node);
        return metrics is null ? problem : $"{metrics.Clients} clients, {metrics.PingsSent} pings sent, drops: {metrics.Drops()}";
    }

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
