using System.Net;
using System.Net.Sockets;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Settings;

/// <summary>A bad setting stops the built host at once: non-zero exit, one line naming the variable and what it accepts.</summary>
public sealed class BadSettingTests
{
    [Theory]
    [InlineData("PORT", "70000", "1 to 65535")]
    [InlineData("PORT", "http", "1 to 65535")]
    [InlineData("WORKER_POOL_SIZE", "0", "1 to 1024")]
    [InlineData("CLIENT_EXPIRATION_SECONDS", "abc", "whole number")]
    [InlineData("LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR or CRITICAL")]
    [InlineData("HOST", "my-laptop", "IPv4 or IPv6 address")]
    [InlineData("ORLEANS_SILO_PORT", "-1", "1 to 65535")]
    [InlineData("ORLEANS_GATEWAY_PORT", "99999", "1 to 65535")]
    [InlineData("DASHBOARD_PORT", "0", "1 to 65535")]
    [InlineData("GATEWAY_ID", "has space", "letters, digits")]
    [InlineData("REDIS_CONNECTION", "127.0.0.1:6379,frobnicate=yes", "StackExchange.Redis configuration string")]
    [InlineData("ADVERTISED_IP", "silo-1", "IPv4 or IPv6 address")]
    [InlineData("LOG_FORMAT", "xml", "text or json")]
    [InlineData("METRICS_PORT", "65536", "1 to 65535")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317", "absolute http:// or https:// URL")]
    [InlineData("ORLEANS_LISTEN_IP", "everywhere", "IPv4 or IPv6 address")]
    [InlineData("ORLEANS_TLS_CERTIFICATE", "/nonexistent/cluster.pfx", "PKCS#12")]
    [InlineData("DASHBOARD_LOG_STREAM", "maybe", "true or false")]
    [InlineData("DASHBOARD_LISTEN_IP", "everywhere", "IPv4 or IPv6 address")]
    [InlineData("DASHBOARD_USER", "ops", "together with DASHBOARD_PASSWORD")]
    [InlineData("MAX_PINGS_PER_SECOND_PER_PREFIX", "0", "1 to 50000000")]
    [InlineData("NEW_CLIENTS_PER_SECOND", "lots", "1 to 10000000")]
    [InlineData("NEW_CLIENTS_PER_SECOND_PER_PREFIX", "-5", "1 to 10000000")]
    [InlineData("PREFIX_LIMITS_EXEMPT", "127.0.0.0/33", "CIDR notation")]
    [InlineData("PREFIX_LIMITS_EXEMPT", "localhost", "CIDR notation")]
    public async Task The_silo_exits_with_one_clear_line(string variable, string value, string accepts)
    {
        using var silo = NodeProcess.Start("silo", BuiltOutputs.Silo, new Dictionary<string, string>
        {
            [variable] = value,
            ["DASHBOARD_PORT"] = variable == "DASHBOARD_PORT" ? value : FreePorts.Next().ToString(),
            // Harmless if a bug lets it start: nothing collides with another test.
            ["ORLEANS_SILO_PORT"] = variable == "ORLEANS_SILO_PORT" ? value : FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = variable == "ORLEANS_GATEWAY_PORT" ? value : FreePorts.Next().ToString(),
            ["PORT"] = variable == "PORT" ? value : FreePorts.Next().ToString(),
        });

        int exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exitCode);
        var lines = silo.Errors.Concat(silo.Output).Where(line => !string.IsNullOrWhiteSpace(line)).ToList();
        string line = Assert.Single(lines);
        Assert.Contains($"{variable}={value}", line);
        Assert.Contains(accepts, line);
        Assert.DoesNotContain("Exception", line);
    }

    [Fact]
    public async Task A_short_DASHBOARD_PASSWORD_stops_the_silo_without_showing_it()
    {
        using var silo = NodeProcess.Start("silo", BuiltOutputs.Silo, new Dictionary<string, string>
        {
            ["DASHBOARD_PASSWORD"] = "secret",
            ["DASHBOARD_PORT"] = FreePorts.Next().ToString(),
            ["PORT"] = FreePorts.Next().ToString(),
        });

        Assert.Equal(2, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        string line = Assert.Single(silo.Errors.Concat(silo.Output), l => !string.IsNullOrWhiteSpace(l));
        Assert.Contains("DASHBOARD_PASSWORD", line);
        Assert.Contains("at least 8 characters", line);
        Assert.DoesNotContain("secret", line);
    }

    [Fact]
    public async Task A_standalone_gateway_with_a_bad_METRICS_PORT_exits_with_one_clear_line()
    {
        using var gateway = NodeProcess.Start("gateway", BuiltOutputs.Gateway, new Dictionary<string, string>
        {
            ["REDIS_CONNECTION"] = "127.0.0.1:1",
            ["METRICS_PORT"] = "web",
            ["PORT"] = FreePorts.Next().ToString(),
        });

        Assert.Equal(2, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        string line = Assert.Single(gateway.Errors.Concat(gateway.Output), l => !string.IsNullOrWhiteSpace(l));
        Assert.Contains("METRICS_PORT=web", line);
        Assert.Contains("1 to 65535", line);
    }

    [Fact]
    public async Task A_standalone_gateway_without_REDIS_CONNECTION_exits_with_one_clear_line()
    {
        using var gateway = NodeProcess.Start("gateway", BuiltOutputs.Gateway, new Dictionary<string, string>
        {
            ["PORT"] = FreePorts.Next().ToString(),
        });

        int exitCode = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, exitCode);
        string line = Assert.Single(gateway.Errors.Concat(gateway.Output), l => !string.IsNullOrWhiteSpace(l));
        Assert.Contains("REDIS_CONNECTION", line);
    }

    [Fact]
    public async Task A_UDP_port_already_taken_stops_the_silo_with_a_line_that_says_so()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Any, 0));
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        using var silo = NodeProcess.Start("silo", BuiltOutputs.Silo, new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(),
            ["DASHBOARD_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
        });

        int exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        Assert.Contains(silo.Errors, line => line.StartsWith($"tixtrigger: cannot start: PORT={port} is in use", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("warning", false)]
    [InlineData("info", true)]
    public async Task Python_log_level_names_are_accepted_and_obeyed(string level, bool infoShown)
    {
        int dashboard = FreePorts.Next();
        using var silo = NodeProcess.Start("silo", BuiltOutputs.Silo, new Dictionary<string, string>
        {
            ["LOG_LEVEL"] = level,
            ["DASHBOARD_PORT"] = dashboard.ToString(),
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
            ["PORT"] = FreePorts.Next().ToString(),
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };

        Assert.True(await Eventually.True(async () => (await http.GetAsync($"http://127.0.0.1:{dashboard}/healthz")).IsSuccessStatusCode, TimeSpan.FromSeconds(30)),
            "the silo never became healthy:\n" + silo.Describe());
        await Task.Delay(TimeSpan.FromSeconds(0.5));

        Assert.False(silo.HasExited, silo.Describe());
        Assert.Equal(infoShown, silo.Output.Any(line => line.Contains(" info: ", StringComparison.Ordinal)));
    }
}
