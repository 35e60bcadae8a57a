using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// The cluster users start with one command (scripts/local-cluster.sh): every node answers its
/// probes and /metrics, a real Prometheus scrapes them all and finds every metric the Grafana
/// dashboard and the alert rules use, and the status page shows the gateways in a real browser.
/// </summary>
public sealed class LocalClusterScriptTests(ScriptedCluster cluster) : IClassFixture<ScriptedCluster>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private IEnumerable<string> NodeUrls =>
        cluster.DashboardPorts.Concat(cluster.MetricsPorts).Select(port => $"http://127.0.0.1:{port}");

    [Fact]
    public async Task Every_silo_and_gateway_answers_200_on_healthz_readyz_and_metrics()
    {
        Assert.Contains("cluster up", cluster.StartOutput);
        Assert.All(cluster.Nodes, node => Assert.True(cluster.Pid(node) is { } pid && ScriptedCluster.IsRunning(pid), $"{node} is not running"));

        foreach (string url in NodeUrls)
        {
            foreach (string path in new[] { "/healthz", "/readyz", "/metrics" })
            {
                using var response = await Http.GetAsync(url + path);
                Assert.True(response.IsSuccessStatusCode, $"{url}{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
        foreach (int port in cluster.MetricsPorts)
        {
            Assert.Contains("cluster: Healthy", await Http.GetStringAsync($"http://127.0.0.1:{port}/readyz"));
        }
    }

    [Fact]
    public async Task Prometheus_scrapes_the_cluster_and_finds_every_metric_the_dashboard_and_the_rules_use()
    {
        using var fleet = new PingFleet(20);
        fleet.Heartbeat(cluster.Gateway(0));
        using var prometheus = await PrometheusServer.StartAsync(new Dictionary<string, string[]>
        {
            ["tixtrigger-silos"] = [.. cluster.DashboardPorts.Select(port => $"127.0.0.1:{port}")],
            ["tixtrigger-gateways"] = [.. cluster.MetricsPorts.Select(port => $"127.0.0.1:{port}")],
        });

        Assert.True(await Eventually.True(async () => (await prometheus.QueryAsync("tixtrigger_pings_sent_total > 0")).Count == 1, TimeSpan.FromSeconds(20)),
            "no gateway's pings in Prometheus\n" + prometheus.Describe());
        Assert.True(await Eventually.True(async () => (await prometheus.QueryAsync("up == 1")).Count == 4
            && (await prometheus.QueryAsync("count by (instance) (tixtrigger_shard_members)")).Count == 2, TimeSpan.FromSeconds(10)),
            "Prometheus does not scrape all four nodes, or not both silos' shards");

        var exported = new HashSet<string>();
        foreach (string url in NodeUrls)
        {
            exported.UnionWith(Regex.Matches(await Http.GetStringAsync(url + "/metrics"), @"(?m)^([a-z_:][a-z0-9_:]*)").Select(m => m.Groups[1].Value));
        }
        exported.Add("up"); // Prometheus' own
        var used = UsedMetrics().ToList();
        Assert.Contains("tixtrigger_ping_lateness_seconds_bucket", used); // the scan itself works
        var missing = used.Where(name => !exported.Contains(name)).Distinct().ToList();
        Assert.True(missing.Count == 0, $"the dashboard or the rules use metrics no node exports: {string.Join(", ", missing)}");
    }

    /// <summary>Metric names in the Grafana dashboard's queries and in the alert rules.</summary>
    private static IEnumerable<string> UsedMetrics()
    {
        string root = BuiltOutputs.RepositoryRoot;
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "deploy", "grafana", "dashboards", "tixtrigger.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)
            .ToList()
            .Concat(Regex.Matches(File.ReadAllText(Path.Combine(root, "deploy", "prometheus", "rules.yml")), @"(?ms)expr: \|?(.*?)\n\s+(for|labels):").Select(m => m.Groups[1].Value));
        return queries.SelectMany(query => Regex.Matches(query, @"\b(tixtrigger_[a-z_]+|orleans_[a-z_]+|up)\b(?!\s*\()").Select(m => m.Groups[1].Value)).ToList();
    }

    [Fact]
    public async Task The_status_page_in_a_real_browser_shows_each_gateway_with_its_clients_and_pings_per_second()
    {
        using var onA = new PingFleet(30);
        using var onB = new PingFleet(12);
        onA.Heartbeat(cluster.Gateway(0));
        onB.Heartbeat(cluster.Gateway(1));
        // Other tests of this class may have clients too: each gateway's own /metrics says how many.
        var expected = new Dictionary<string, double>();
        Assert.True(await Eventually.True(async () =>
        {
            expected["gateway-a"] = SingleNodeMetricsTests.Value(await Http.GetStringAsync($"http://127.0.0.1:{cluster.MetricsPorts[0]}/metrics"), "tixtrigger_clients");
            expected["gateway-b"] = SingleNodeMetricsTests.Value(await Http.GetStringAsync($"http://127.0.0.1:{cluster.MetricsPorts[1]}/metrics"), "tixtrigger_clients");
            return expected["gateway-a"] >= 30 && expected["gateway-b"] >= 12;
        }, TimeSpan.FromSeconds(5)));
        string url = $"http://127.0.0.1:{cluster.DashboardPorts[1]}/status";
        // Gateways report every 2 s; pings/s needs two reports with the clients in them.
        await Task.Delay(TimeSpan.FromSeconds(5));

        string screenshot = Path.Combine(cluster.Folder, "status.png");
        string dom = await HeadlessChromium.ScreenshotAsync(url, screenshot);

        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is empty");
        var rows = Regex.Matches(dom, @"<tr class=""gateway""><td>(gateway-[ab])</td>.*?<td class=""clients"">(\d+)</td><td class=""pings"">([\d.]+)</td>", RegexOptions.Singleline)
            .ToDictionary(m => m.Groups[1].Value, m => (Clients: int.Parse(m.Groups[2].Value), Pings: double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)));
        Assert.True(rows.Count == 2, dom);
        foreach (var (gateway, clients) in expected)
        {
            Assert.Equal(clients, rows[gateway].Clients);
            Assert.InRange(rows[gateway].Pings, clients * 0.7, clients * 1.3);
        }
        Assert.Matches(@"<tr class=""silo""><td>[^<]+</td><td>Active</td><td>\d+</td></tr>", dom);
        Assert.Contains("href=\"/dashboard\"", dom);
    }
}
