using TixTrigger.Hosting;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Settings;

/// <summary>
/// A bad setting's line names what was wrong, never a password: stderr ends up in logs that more
/// people read than know the Redis or certificate password.
/// </summary>
public sealed class SecretSettingTests
{
    private const string Secret = "Hunter2-Secret";

    private static async Task<string> OneLineFromAFailedStart(string app, string path, Dictionary<string, string> settings)
    {
        settings["PORT"] = FreePorts.Next().ToString();
        settings["DASHBOARD_PORT"] = FreePorts.Next().ToString();
        settings["METRICS_PORT"] = FreePorts.Next().ToString();
        settings["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString();
        settings["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString();
        using var node = NodeProcess.Start(app, path, settings);
        Assert.Equal(2, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var all = node.Errors.Concat(node.Output).ToList();
        Assert.All(all, line => Assert.DoesNotContain(Secret, line));
        return Assert.Single(all, line => !string.IsNullOrWhiteSpace(line));
    }

    [Theory]
    [InlineData("127.0.0.1:6379,password=" + Secret + ",frobnicate=yes", "frobnicate")]
    [InlineData("127.0.0.1:6379, Password = " + Secret + " ,ssl=maybe", "ssl")]
    [InlineData("redis://admin:" + Secret + "@127.0.0.1:6379,frobnicate=yes", "frobnicate")]
    public async Task A_REDIS_CONNECTION_that_does_not_parse_is_shown_without_its_password(string connection, string culprit)
    {
        string line = await OneLineFromAFailedStart("silo", BuiltOutputs.Silo, new() { ["REDIS_CONNECTION"] = connection });

        Assert.Contains("REDIS_CONNECTION=", line);
        Assert.Contains(culprit, line);
        Assert.Contains("***", line);
    }

    [Fact]
    public async Task A_standalone_gateway_hides_it_too()
    {
        string line = await OneLineFromAFailedStart("gateway", BuiltOutputs.Gateway,
            new() { ["REDIS_CONNECTION"] = "127.0.0.1:6379,password=" + Secret + ",frobnicate=yes" });

        Assert.Contains("REDIS_CONNECTION=127.0.0.1:6379,password=***,frobnicate=yes", line);
    }

    [Fact]
    public async Task A_certificate_that_cannot_be_read_is_reported_without_its_password()
    {
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "not a certificate");
            string line = await OneLineFromAFailedStart("silo", BuiltOutputs.Silo, new()
            {
                ["ORLEANS_TLS_CERTIFICATE"] = file,
                ["ORLEANS_TLS_CERTIFICATE_PASSWORD"] = Secret,
            });

            Assert.Contains("ORLEANS_TLS_CERTIFICATE=", line);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("host:6379,password=" + Secret, "host:6379,password=***")]
    [InlineData("rediss://user:" + Secret + "@host:6380", "rediss://***@host:6380")]
    [InlineData("u:" + Secret + "@host", "***@host")]
    [InlineData("[::1]:6379,ssl=true", "[::1]:6379,ssl=true")]
    public void The_shown_text_keeps_everything_but_the_secret(string connection, string shown) =>
        Assert.Equal(shown, RedisConnectionText.WithoutSecrets(connection));
}
