using TixTrigger.Settings;

namespace TixTrigger.Silo.Hosting;

/// <summary>
/// <c>TixTrigger.Silo --healthcheck</c>: asks the running silo's <c>/healthz</c>, for container
/// health checks in images that have no curl.
/// </summary>
public static class SiloHealthCheck
{
    public static bool IsRequested(string[] args) => args.Contains("--healthcheck");

    public static async Task<int> RunAsync(NodeOptions node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{node.DashboardPort}/healthz");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"tixtrigger: unhealthy: {error.Message}");
            return 1;
        }
    }
}
