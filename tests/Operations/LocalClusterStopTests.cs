using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// <c>scripts/local-cluster.sh stop</c> ends every node it started, each node says so in one line,
/// and a graceful stop logs nothing that looks like a failure.
/// </summary>
public sealed class LocalClusterStopTests
{
    [Fact]
    public async Task Stop_ends_every_node_and_each_logs_a_calm_stop()
    {
        var cluster = new ScriptedCluster();
        await cluster.InitializeAsync();
        try
        {
            using var fleet = new PingFleet(40);
            fleet.Heartbeat(cluster.Gateway(0));
            fleet.Heartbeat(cluster.Gateway(1));
            await Task.Delay(TimeSpan.FromSeconds(3));
            var pids = cluster.Nodes.ToDictionary(node => node, node => cluster.Pid(node) ?? throw new InvalidOperationException($"no PID file for {node}"));

            var (exitCode, output) = await cluster.RunScriptAsync("stop");

            Assert.True(exitCode == 0, output);
            Assert.All(pids, pid => Assert.False(ScriptedCluster.IsRunning(pid.Value), $"{pid.Key} (pid {pid.Value}) still runs"));
            Assert.All(cluster.Nodes, node => Assert.Contains($"{node} stopped", output));
            Assert.DoesNotContain("killed", output);
            foreach (string node in new[] { "silo-1", "silo-2" }) AssertCalmStop(cluster.Log(node), "silo");
            foreach (string node in new[] { "gateway-a", "gateway-b" }) AssertCalmStop(cluster.Log(node), "gateway");
            Assert.Contains("not running", (await cluster.RunScriptAsync("status")).Output);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static void AssertCalmStop(string log, string node)
    {
        var lines = log.Split('\n');
        int stopping = Array.FindIndex(lines, line => line.Contains($"TixTrigger {node} stopping", StringComparison.Ordinal));
        Assert.True(stopping >= 0, $"no 'stopping' line:\n{log}");
        Assert.Contains(lines, line => line.Contains($"TixTrigger {node} stopped", StringComparison.Ordinal));
        var alarming = lines.Skip(stopping).Where(line => line.Contains(" warn:") || line.Contains(" fail:") || line.Contains(" crit:") || line.Contains("Exception")).ToList();
        Assert.True(alarming.Count == 0, $"a graceful stop logged:\n{string.Join('\n', alarming)}");
    }
}
