using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Compose;

/// <summary>What compose's Prometheus loads, checked by Prometheus' own tool: a typo there would leave production unwatched.</summary>
public sealed class PrometheusConfigTests
{
    private static readonly string Deploy = Path.Combine(BuiltOutputs.RepositoryRoot, "deploy", "prometheus");

    [Fact]
    public async Task Promtool_accepts_the_scrape_configuration() =>
        await AssertPromtool("check", "config", Path.Combine(Deploy, "prometheus.yml"));

    [Fact]
    public async Task Promtool_accepts_the_alert_rules() =>
        await AssertPromtool("check", "rules", Path.Combine(Deploy, "rules.yml"));

    private static async Task AssertPromtool(params string[] arguments)
    {
        using var promtool = InstalledTool.Start("promtool", arguments);
        var output = promtool.StandardOutput.ReadToEndAsync();
        var errors = promtool.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await promtool.WaitForExitAsync(timeout.Token);
        Assert.True(promtool.ExitCode == 0, $"promtool {string.Join(' ', arguments)} exited {promtool.ExitCode}:\n{await output}\n{await errors}");
    }
}
