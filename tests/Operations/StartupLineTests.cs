using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// The start-up line's status URL is one a browser opens, and says who can open it: the single node's pages
/// (no password in the quick start) listen on this machine only unless DASHBOARD_LISTEN_IP says otherwise.
/// </summary>
public sealed partial class StartupLineTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task The_single_node_prints_a_status_URL_that_answers_and_listens_on_this_machine_only()
    {
        using var node = await SingleNode.StartAsync();
        string line = UpLine(node.Process);

        string url = StatusUrl(line);
        Assert.Equal($"http://localhost:{node.DashboardPort}/status", url);
        Assert.Contains("this machine only", line);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(url)).StatusCode);
        if (OtherAddress() is { } other) Assert.False(await AcceptsAsync(other, node.DashboardPort), $"the pages answer on {other}:\n{line}");
    }

    [Fact]
    public async Task DASHBOARD_LISTEN_IP_opens_the_single_node_wider_and_says_so_loudly_without_a_password()
    {
        using var node = await SingleNode.StartAsync(new Dictionary<string, string> { ["DASHBOARD_LISTEN_IP"] = "0.0.0.0" });
        string line = UpLine(node.Process);

        Assert.DoesNotContain("0.0.0.0", StatusUrl(line));
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(StatusUrl(line))).StatusCode);
        Assert.Contains("no password", line);
        Assert.Contains(node.Process.Output, l => l.Contains(" warn: ", StringComparison.Ordinal) && l.Contains("DASHBOARD_LISTEN_IP=0.0.0.0 without DASHBOARD_PASSWORD", StringComparison.Ordinal));
        if (OtherAddress() is { } other) Assert.True(await AcceptsAsync(other, node.DashboardPort), $"the pages do not answer on {other}");
    }

    [Fact]
    public async Task A_clustered_silo_prints_its_advertised_address_and_still_listens_on_every_interface()
    {
        await using var cluster = await LocalCluster.StartAsync(silos: 1, gateways: []);
        string line = UpLine(cluster.Silos[0]);

        Assert.Equal($"http://127.0.0.1:{cluster.DashboardPorts[0]}/status", StatusUrl(line));
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(StatusUrl(line))).StatusCode);
        Assert.Contains("no password", line);
        if (OtherAddress() is { } other) Assert.True(await AcceptsAsync(other, cluster.DashboardPorts[0]), $"the pages do not answer on {other}");
    }

    [Fact]
    public async Task The_health_check_asks_the_one_address_DASHBOARD_LISTEN_IP_names()
    {
        var settings = new Dictionary<string, string> { ["DASHBOARD_LISTEN_IP"] = "127.0.0.3" };
        using var node = await SingleNode.StartAsync(settings);
        var check = new System.Diagnostics.ProcessStartInfo("dotnet", [BuiltOutputs.Silo, "--healthcheck"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment = { ["DASHBOARD_PORT"] = node.DashboardPort.ToString(), ["DASHBOARD_LISTEN_IP"] = "127.0.0.3" },
        };
        using var process = System.Diagnostics.Process.Start(check)!;
        string errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, $"--healthcheck exited {process.ExitCode}: {errors}");
    }

    private static string UpLine(NodeProcess process) => Assert.Single(process.Output, l => l.Contains("TixTrigger silo up", StringComparison.Ordinal));

    private static string StatusUrl(string line)
    {
        var match = StatusUrlPattern().Match(line);
        Assert.True(match.Success, line);
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"status on (http://\S+/status)")]
    private static partial Regex StatusUrlPattern();

    /// <summary>This machine's first IPv4 address that is not loopback, if it has one.</summary>
    private static IPAddress? OtherAddress() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(nic => nic.OperationalStatus == OperationalStatus.Up && nic.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
        .Select(unicast => unicast.Address)
        .FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address));

    private static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(3));
            return true;
        }
        catch (Exception error) when (error is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
