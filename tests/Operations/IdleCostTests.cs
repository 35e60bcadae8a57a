using System.Diagnostics;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// What an idle single node holds in memory. The regressions this catches are tens of MiB (a
/// library building caches at start-up, Server GC's heaps), and memory, unlike CPU time, does not
/// depend on how busy the machine is. And that its ping sender sleeps and it makes few grain calls: wake-ups
/// and calls, unlike CPU time, do not depend on the machine either.
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

    // The old sender woke ~190 times a second (100 slots, each sleep rounded to whole ms); asleep now, it should not wake at all.
    private const int MaxSenderWakeUpsPerSecond = 10;

    // The state saver polled 10 times a second; with an empty mirror saved, once a second.
    private const int MaxStateSaverWakeUpsPerSecond = 5;

    [Fact]
    public async Task An_idle_single_nodes_ping_sender_and_state_saver_sleep()
    {
        using var node = await SingleNode.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        // The kernel keeps 15 characters of a thread's name: "tixtrigger-pings", "tixtrigger-state".
        string sender = ThreadOf(node, "tixtrigger-ping"), saver = ThreadOf(node, "tixtrigger-stat");
        long senderBefore = VoluntarySwitches(sender), saverBefore = VoluntarySwitches(saver);
        await Task.Delay(TimeSpan.FromSeconds(4));
        double senderPerSecond = (VoluntarySwitches(sender) - senderBefore) / 4.0;
        double saverPerSecond = (VoluntarySwitches(saver) - saverBefore) / 4.0;
        Assert.True(senderPerSecond < MaxSenderWakeUpsPerSecond, $"the idle node's ping sender woke {senderPerSecond:F0} times a second");
        Assert.True(saverPerSecond < MaxStateSaverWakeUpsPerSecond, $"the idle node's state saver woke {saverPerSecond:F0} times a second");
    }

    // With no client, the gateway used to ask all 64 client partitions their epochs every 2 s: 32 calls a second of
    // ~40. What is left is the shards' leases and the gateway's announcement, ~8 a second.
    private const double MaxIdleGrainCallsPerSecond = 20;

    [Fact]
    public async Task An_idle_single_nodes_gateway_asks_the_client_partitions_nothing()
    {
        using var node = await SingleNode.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        double before = await GrainCalls(node);
        var elapsed = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(6));
        double calls = await GrainCalls(node) - before;
        double perSecond = calls / elapsed.Elapsed.TotalSeconds;

        Assert.True(calls > 0, "no grain call counted: is orleans_app_requests_latency_milliseconds still exported?");
        Assert.True(perSecond < MaxIdleGrainCallsPerSecond, $"the idle node made {perSecond:F1} grain calls a second");
    }

    private static async Task<double> GrainCalls(SingleNode node) =>
        (await NodeMetrics.ScrapeAsync(node)).Sum("orleans_app_requests_latency_milliseconds_count");

    private static string ThreadOf(SingleNode node, string comm) => Directory.EnumerateDirectories($"/proc/{node.Process.Id}/task")
        .Single(dir => File.ReadAllText(Path.Combine(dir, "comm")).Trim() == comm);

    private static long VoluntarySwitches(string task)
    {
        string line = File.ReadLines(Path.Combine(task, "status")).First(line => line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal));
        return long.Parse(line["voluntary_ctxt_switches:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static long ResidentKib(int processId)
    {
        string line = File.ReadLines($"/proc/{processId}/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
