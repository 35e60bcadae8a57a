using System.Net;

namespace TixTrigger.Bench.Options;

/// <summary>
/// Default client addresses for the runs that start their own subject (--compare, --self-check):
/// 127.0.1.1, .2, ... with at most 4,000 clients each, as phones come from many addresses. That
/// keeps each under the service's MAX_CLIENTS_PER_IP (4096) and well inside one address's
/// ephemeral ports (about 28,000), which 50,000 clients on one address would run out of.
/// </summary>
internal static class SourceAddresses
{
    public const int ClientsPerAddress = 4000;

    public static BenchOptions Spread(BenchOptions options)
    {
        if (options.BindAddresses.Count > 0) return options;
        int count = (options.Clients + ClientsPerAddress - 1) / ClientsPerAddress;
        return options with { BindAddresses = [.. Enumerable.Range(0, count).Select(i => new IPAddress([127, 0, (byte)(1 + i / 250), (byte)(1 + i % 250)]))] };
    }
}
