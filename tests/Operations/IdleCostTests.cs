using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// What an idle single node holds in memory. The regressions this catches are tens of MiB (a
/// library building caches at start-up, Server GC's heaps), and memory, unlike CPU time, does not
/// depend on how busy the machine is.
/// </summary>
public sealed class IdleCostTests
{
    // Measured here 10-15 s after start: the old code (dashboard assets built at start-up, Server GC) 203 MiB; ~140 now.
    private const long MaxIdleRssMib = 180;

    [Fact]
    public async Task An_idle_single_node_holds_under_180_MiB()
    {
        using var node = await SingleNode.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(10));
        var samples = new List<long>();
        for (int i = 0; i < 5; i++)
        {
            samples.Add(ResidentKib(node.Process.Id));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        samples.Sort();
        long median = samples[samples.Count / 2] / 1024;
        Assert.True(median < MaxIdleRssMib, $"an idle single node holds {median} MiB (samples {string.Join(", ", samples.Select(kib => kib / 1024))} MiB), above {MaxIdleRssMib} MiB");
    }

    private static long ResidentKib(int processId)
    {
        string line = File.ReadLines($"/proc/{processId}/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
