using System.Net;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// Liveness never depends on another node: with Redis down, or every silo gone, /healthz stays
/// 200 (restarting would not help), while /readyz says what is missing.
/// </summary>
public sealed class ProbeTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await LocalCluster.StartAsync(silos: 1, gateways: ["a"]);
        // Kestrel starts after the gateway's UDP port (the host starts its web server last).
        if (!await Eventually.True(async () => await Answers(Gateway("/healthz")), TimeSpan.FromSeconds(20)))
        {
            throw new InvalidOperationException("the gateway's METRICS_PORT never answered\n" + _cluster.Describe());
        }
    }

    private static async Task<bool> Answers(string url)
    {
        try
        {
            await StatusOf(url);
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private string Gateway(string path) => $"http://127.0.0.1:{_cluster.Gateways["a"].MetricsPort}{path}";

    private string Silo(string path) => $"http://127.0.0.1:{_cluster.DashboardPorts[0]}{path}";

    private static async Task<HttpStatusCode> StatusOf(string url)
    {
        using var response = await Http.GetAsync(url);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_standalone_gateway_answers_200_on_healthz_readyz_and_metrics_on_METRICS_PORT()
    {
        foreach (string path in new[] { "/healthz", "/readyz", "/metrics" })
        {
            Assert.Equal(HttpStatusCode.OK, await StatusOf(Gateway(path)));
        }
        string ready = await Http.GetStringAsync(Gateway("/readyz"));
        Assert.Contains("udp: Healthy", ready);
        Assert.Contains("cluster: Healthy", ready);
        Assert.Contains("gateway-loops: Healthy", ready);
        Assert.Contains("tixtrigger_pings_sent_total{", await Http.GetStringAsync(Gateway("/metrics")));
    }

    [Fact]
    public async Task With_Redis_down_every_node_stays_live()
    {
        await _cluster.Redis.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(HttpStatusCode.OK, await StatusOf(Silo("/healthz")));
        Assert.Equal(HttpStatusCode.OK, await StatusOf(Gateway("/healthz")));
    }

    [Fact]
    public async Task With_its_only_silo_gone_a_gateway_is_live_but_not_ready()
    {
        _cluster.Silos[0].Kill();

        Assert.True(await Eventually.True(async () => await StatusOf(Gateway("/readyz")) == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30)),
            "the gateway still says it is ready");
        using var ready = await Http.GetAsync(Gateway("/readyz"));
        Assert.Contains("cluster: Unhealthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, await StatusOf(Gateway("/healthz")));
        Assert.True(await Eventually.True(async () => SingleNodeMetricsTests.Value(await Http.GetStringAsync(Gateway("/metrics")), "tixtrigger_ready") == 0, TimeSpan.FromSeconds(15)),
            "tixtrigger_ready stays 1");
    }
}
