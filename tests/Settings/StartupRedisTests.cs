using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Settings;

/// <summary>A clustered silo cannot start without Redis: out of reach, that is one line naming REDIS_CONNECTION (its password hidden), not an unhandled exception.</summary>
public sealed class StartupRedisTests
{
    private const string Secret = "not-for-logs-42";

    [Fact]
    public async Task A_silo_whose_Redis_does_not_answer_exits_with_one_line_naming_REDIS_CONNECTION()
    {
        using var silo = NodeProcess.Start("silo", BuiltOutputs.Silo, new Dictionary<string, string>
        {
            // Port 1 on loopback: nothing listens there, the connection is refused at once.
            ["REDIS_CONNECTION"] = $"127.0.0.1:1,password={Secret}",
            ["DASHBOARD_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
        });

        int exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{silo.Describe()}");
        string line = Assert.Single(silo.Errors.Concat(silo.Output), l => !string.IsNullOrWhiteSpace(l));
        Assert.StartsWith("tixtrigger: cannot start: REDIS_CONNECTION=127.0.0.1:1,password=*** did not answer", line);
        Assert.DoesNotContain(Secret, line);
    }
}
