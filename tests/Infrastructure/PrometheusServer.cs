using System.Diagnostics;
using System.Text.Json;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>) on a free loopback port, scraping the given
/// targets every second, with its data in a temporary folder. Killed on dispose.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tixtrigger-prometheus-").FullName;
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusServer(IReadOnlyDictionary<string, string[]> jobs)
    {
        Port = FreePorts.Next();
        string config = Path.Combine(_directory, "prometheus.yml");
        File.WriteAllText(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n" + string.Concat(jobs.Select(job =>
            $"  - job_name: {job.Key}\n    static_configs:\n      - targets: [{string.Join(", ", job.Value.Select(t => $"\"{t}\""))}]\n")));
        _process = InstalledTool.Start("prometheus",
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_directory, "data")}", $"--web.listen-address=127.0.0.1:{Port}"],
            line => { lock (_log) _log.Add(line); });
    }

    public int Port { get; }

    /// <summary>Starts Prometheus with one scrape job per entry (job name → host:port targets).</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, string[]> jobs)
    {
        var server = new PrometheusServer(jobs);
        if (!await Eventually.True(server.IsReadyAsync, TimeSpan.FromSeconds(30)))
        {
            server.Dispose();
            throw new InvalidOperationException("prometheus did not become ready:\n" + server.Describe());
        }
        return server;
    }

    private async Task<bool> IsReadyAsync()
    {
        try
        {
            return (await _http.GetAsync($"http://127.0.0.1:{Port}/-/ready")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The values of an instant query through the HTTP API, with each series' labels.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        string json = await _http.GetStringAsync($"http://127.0.0.1:{Port}/api/v1/query?query={Uri.EscapeDataString(promql)}");
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(series => (
                series.GetProperty("metric").EnumerateObject().ToDictionary(label => label.Name, label => label.Value.GetString() ?? ""),
                double.Parse(series.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }

    public string Describe()
    {
        lock (_log) return string.Join('\n', _log.TakeLast(20));
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(5_000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
