using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Deployment;

/// <summary>STATE_DIR, where a restart finds its clients, is checked at start like every setting.</summary>
public sealed class RestartSettingTests
{
    [Fact]
    public async Task A_STATE_DIR_that_cannot_be_a_directory_stops_the_gateway_with_one_clear_line()
    {
        string file = Path.GetTempFileName();
        try
        {
            using var gateway = NodeProcess.Start("gateway", BuiltOutputs.Gateway, new Dictionary<string, string>
            {
                ["REDIS_CONNECTION"] = "127.0.0.1:1",
                ["PORT"] = FreePorts.Next().ToString(),
                ["STATE_DIR"] = Path.Combine(file, "state"), // under a file: no directory can be made there, even by root
            });

            Assert.Equal(2, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            string line = Assert.Single(gateway.Errors.Concat(gateway.Output), l => !string.IsNullOrWhiteSpace(l));
            Assert.Contains($"STATE_DIR={file}/state is not valid", line);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
