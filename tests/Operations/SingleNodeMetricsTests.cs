using System.Globalization;
using System.Text.RegularExpressions;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// Issue 9's first check, as a new user would run it: 500 phones on <c>dotnet run --project silo</c>
/// for 15 s, then its /metrics and a real Prometheus scraping it.
/// </summary>
public sealed class SingleNodeMetricsTests
{
    [Fact]
    public async Task Five_hundred_clients_for_15_s_show_in_metrics_and_in_a_real_Prometheus()
    {
        using var node = await SingleNode.StartAsync();
        using var prometheus = await PrometheusServer.StartAsync(new Dictionary<string, string[]> { ["tixtrigger"] = [$"127.0.0.1:{node.DashboardPort}"] });
        using var fleet = new PingFleet(500);
        fleet.Heartbeat(node.Udp);
        await Task.Delay(TimeSpan.FromSeconds(15));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string metrics = await http.GetStringAsync(node.Url("/metrics"));

        Assert.True(Value(metrics, "tixtrigger_pings_sent_total") >= 5_000, $"tixtrigger_pings_sent_total = {Value(metrics, "tixtrigger_pings_sent_total")}");
        Assert.Equal(500, Value(metrics, "tixtrigger_clients"));
        Assert.Equal(500, Value(metrics, "tixtrigger_heartbeats_total"));
        Assert.Contains("\norleans_", metrics);
        Assert.Contains("\ndotnet_gc_", metrics); // the runtime's
        Assert.Contains("\nprocess_cpu_time_seconds_total", metrics); // the process's
        Assert.Matches(@"(?m)^tixtrigger_ping_lateness_seconds_bucket\{.*le=""0\.02"".*\} \d+", metrics);
        Assert.Matches(@"(?m)^tixtrigger_drops_total\{.*reason=""Oversize"".*\} 0", metrics);
        Assert.Matches(@"(?m)^tixtrigger_shard_members\{", metrics);
        Assert.Equal(1, Value(metrics, "tixtrigger_ready"));

        List<(Dictionary<string, string> Labels, double Value)> scraped = [];
        Assert.True(await Eventually.True(async () =>
        {
            scraped = await prometheus.QueryAsync("tixtrigger_pings_sent_total");
            return scraped.Count == 1 && scraped[0].Value > 0;
        }, TimeSpan.FromSeconds(20)), "Prometheus has no tixtrigger_pings_sent_total > 0:\n" + prometheus.Describe());
        Assert.Equal("tixtrigger", scraped[0].Labels["job"]);
    }

    /// <summary>The sum of a metric's samples in Prometheus' text format.</summary>
    internal static double Value(string metrics, string name) =>
        Regex.Matches(metrics, @"(?m)^" + Regex.Escape(name) + @"(\{[^}]*\})? (\S+)$")
            .Sum(match => double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
}
