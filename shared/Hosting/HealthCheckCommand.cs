using System.Net;

namespace TixTrigger.Hosting;

/// <summary>
/// <c>--healthcheck</c>: asks the running node's <c>/readyz</c> on its own HTTP port, for container
/// health checks in images that have no curl. Exit code 0 when ready.
/// </summary>
public static class HealthCheckCommand
{
    public static bool IsRequested(string[] args) => args.Contains("--healthcheck");

    /// <param name="listenAddress">Where the port listens when that is one address (not every interface): asked there.</param>
    public static async Task<int> RunAsync(int httpPort, IPAddress? listenAddress = null)
    {
        var address = listenAddress is null || listenAddress.Equals(IPAddress.Any) || listenAddress.Equals(IPAddress.IPv6Any) ? IPAddress.Loopback : listenAddress;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new UriBuilder("http", address.ToString(), httpPort, "/readyz").Uri);
            if (response.IsSuccessStatusCode) return 0;
            Console.Error.WriteLine($"tixtrigger: not ready: {(await response.Content.ReadAsStringAsync()).ReplaceLineEndings("; ").TrimEnd(' ', ';')}");
            return 1;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"tixtrigger: unhealthy: {error.Message}");
            return 1;
        }
    }
}
