using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Settings;

/// <summary>
/// A port another process holds stops a node before anything starts: exit code 1 and one line naming the
/// setting and the port, with no framework output and no stack trace.
/// </summary>
public sealed class StartupPortTests
{
    [Theory]
    [InlineData("silo", "PORT", ProtocolType.Udp)]
    [InlineData("silo", "DASHBOARD_PORT", ProtocolType.Tcp)]
    [InlineData("silo", "ORLEANS_SILO_PORT", ProtocolType.Tcp)]
    [InlineData("silo", "ORLEANS_GATEWAY_PORT", ProtocolType.Tcp)]
    [InlineData("gateway", "PORT", ProtocolType.Udp)]
    [InlineData("gateway", "METRICS_PORT", ProtocolType.Tcp)]
    public async Task A_port_in_use_stops_the_node_with_one_line_naming_its_setting(string node, string setting, ProtocolType protocol)
    {
        using var held = Hold(protocol);
        int port = ((IPEndPoint)held.LocalEndPoint!).Port;
        var environment = new Dictionary<string, string>
        {
            ["PORT"] = FreePorts.Next().ToString(),
            ["DASHBOARD_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
            ["METRICS_PORT"] = FreePorts.Next().ToString(),
            [setting] = port.ToString(),
        };
        // A standalone gateway connects to the cluster in the background: no Redis needs to answer for it to start.
        if (node == "gateway") environment["REDIS_CONNECTION"] = "127.0.0.1:1";
        using var process = NodeProcess.Start(node, node == "silo" ? BuiltOutputs.Silo : BuiltOutputs.Gateway, environment);

        int exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{process.Describe()}");
        string line = Assert.Single(process.Errors, l => !string.IsNullOrWhiteSpace(l));
        Assert.StartsWith("tixtrigger: cannot start: ", line);
        Assert.Contains(setting, line);
        Assert.Contains($"{port} is in use", line);
        Assert.DoesNotContain("Exception", line);
        Assert.DoesNotContain(process.Output, l => !string.IsNullOrWhiteSpace(l));
    }

    [Fact]
    public async Task A_HOST_that_is_not_an_address_of_this_machine_is_one_line_naming_HOST()
    {
        string host = NotLocal();
        using var silo = NodeProcess.Start("silo", BuiltOutputs.Silo, new Dictionary<string, string>
        {
            ["HOST"] = host,
            ["PORT"] = FreePorts.Next().ToString(),
            ["DASHBOARD_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
        });

        Assert.Equal(1, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        string line = Assert.Single(silo.Errors.Concat(silo.Output), l => !string.IsNullOrWhiteSpace(l));
        Assert.Contains($"HOST={host} is not an address of this machine", line);
    }

    /// <summary>A documentation address (RFC 5737) this machine does not have: test networks use them too.</summary>
    private static string NotLocal()
    {
        var local = NetworkInterface.GetAllNetworkInterfaces().SelectMany(nic => nic.GetIPProperties().UnicastAddresses).Select(unicast => unicast.Address).ToHashSet();
        return new[] { "198.51.100.77", "203.0.113.77", "192.0.2.177" }.First(address => !local.Contains(IPAddress.Parse(address)));
    }

    /// <summary>A socket on every IPv4 interface holding a free port, as another program would.</summary>
    private static Socket Hold(ProtocolType protocol)
    {
        var socket = new Socket(AddressFamily.InterNetwork, protocol == ProtocolType.Udp ? SocketType.Dgram : SocketType.Stream, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Any, FreePorts.Next()));
        if (protocol == ProtocolType.Tcp) socket.Listen();
        return socket;
    }
}
