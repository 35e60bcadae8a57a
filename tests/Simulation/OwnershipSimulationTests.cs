using System.Diagnostics;
using Xunit.Abstractions;

namespace TixTrigger.Tests.Simulation;

/// <summary>
/// The ownership protocol under a seeded, replayable simulation (see /work/notes/sim.md). A failing
/// seed is printed with the command that replays it: SIM_SEED=n runs that seed alone, with its log.
/// </summary>
public sealed class OwnershipSimulationTests(ITestOutputHelper output)
{
    private static int Seeds(int fallback) => int.TryParse(Environment.GetEnvironmentVariable("SIM_SEEDS"), out int n) ? n : fallback;

    private static int? OnlySeed => int.TryParse(Environment.GetEnvironmentVariable("SIM_SEED"), out int n) ? n : null;

    /// <summary>Runs the seeds (or SIM_SEED alone) on both cores; returns the failing ones, reported.</summary>
    private List<SimResult> RunSeeds(string test, SimConfig config, int seeds, int firstSeed = 1)
    {
        var watch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        int[] chosen = OnlySeed is { } only ? [only] : [.. Enumerable.Range(firstSeed, seeds)];
        var results = new SimResult[chosen.Length];
        var times = new double[chosen.Length];
        Parallel.For(0, chosen.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            long start = Stopwatch.GetTimestamp();
            results[i] = Simulation.Run(chosen[i], config, verbose: OnlySeed is not null);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        });
        int slowest = Array.IndexOf(times, times.Max());
        var failed = results.Where(result => !result.Passed).ToList();
        output.WriteLine($"{test}: {chosen.Length} seeds of {config.DurationMs / 1000} s virtual in {watch.Elapsed.TotalSeconds:F1} s ({(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s of CPU); {failed.Count} failed; {results.Sum(r => r.Pings)} pings, {results.Sum(r => r.Events) / results.Length} events a seed; slowest seed {chosen[slowest]} ({times[slowest]:F0} ms)");
        foreach (var result in failed.Take(20))
        {
            output.WriteLine($"  seed {result.Seed}: {result.Violations[0]}");
            output.WriteLine($"    replay: SIM_SEED={result.Seed} dotnet test tests/TixTrigger.Tests.csproj --filter \"FullyQualifiedName~Simulation.OwnershipSimulationTests.{test}\"");
        }
        if (OnlySeed is not null)
        {
            var result = results[0];
            output.WriteLine($"seed {result.Seed}: trace without the glue's notes {Simulation.Run(result.Seed, config).Trace:x16}");
            output.WriteLine($"seed {result.Seed}: trace {result.Trace:x16}; verdicts: {result.Verdicts}");
            foreach (var violation in result.Violations) output.WriteLine("  " + violation);
            foreach (string line in result.Log) output.WriteLine(line);
        }
        return failed;
    }

    [Fact]
    public void A_seed_replays_exactly()
    {
        var config = new SimConfig { Protocol = Protocol.Epochs, Twin = true };
        foreach (int seed in Enumerable.Range(1, 20))
        {
            var (first, second) = (Simulation.Run(seed, config), Simulation.Run(seed, config));
            Assert.Equal(first.Trace, second.Trace);
            Assert.Equal(first.Events, second.Events);
        }
    }

    /// <summary>Partitions lost (collected or crashed alone), nothing else: the recovery window's bug and nothing else.</summary>
    private static readonly SimConfig PartitionLossOnly = new() { GatewayCrashEveryMs = 0, SiloCrashEveryMs = 0, PartitionLossEveryMs = 45_000 };

    [Fact]
    public void Recovery_window_misses_a_move_once_the_window_has_passed()
    {
        var failed = RunSeeds(nameof(Recovery_window_misses_a_move_once_the_window_has_passed), PartitionLossOnly with { Protocol = Protocol.RecoveryWindow }, Seeds(500));
        Assert.NotEmpty(failed);
        Assert.All(failed, result => Assert.Equal("DoublePing", result.Violations[0].Kind));
    }

    [Fact]
    public void Partition_epochs_catch_every_move_after_a_partition_loss()
    {
        var failed = RunSeeds(nameof(Partition_epochs_catch_every_move_after_a_partition_loss), PartitionLossOnly with { Protocol = Protocol.Epochs }, Seeds(500));
        Assert.Empty(failed);
    }

    [Fact]
    public void Epochs_protocol_keeps_its_promises()
    {
        var failed = RunSeeds(nameof(Epochs_protocol_keeps_its_promises), new SimConfig { Protocol = Protocol.Epochs }, Seeds(2_000));
        Assert.Empty(failed);
    }

    /// <summary>A second process with GATEWAY_ID g0 on another host, started 20-100 s in; clients heartbeat either.</summary>
    private static readonly SimConfig Twins = new() { Protocol = Protocol.Epochs, Twin = true };

    [Fact]
    public void Without_the_fence_two_processes_of_one_gateway_id_steal_each_others_ticks()
    {
        var failed = RunSeeds(nameof(Without_the_fence_two_processes_of_one_gateway_id_steal_each_others_ticks), Twins with { Fence = false }, Seeds(300));
        Assert.NotEmpty(failed);
    }

    [Fact]
    public void With_the_fence_a_second_process_of_a_gateway_id_is_refused()
    {
        var failed = RunSeeds(nameof(With_the_fence_a_second_process_of_a_gateway_id_is_refused), Twins, Seeds(300));
        Assert.Empty(failed);
    }

    /// <summary>Gateway restarts only, each with the wall clock stepped back by up to 2 minutes.</summary>
    private static readonly SimConfig ClockSteps = new() { SiloCrashEveryMs = 0, PartitionLossEveryMs = 0, GatewayCrashEveryMs = 20_000, ClockStepBackMaxMs = 120_000 };

    [Fact]
    public void Wall_clock_claim_ids_break_on_a_clock_step_back()
    {
        var failed = RunSeeds(nameof(Wall_clock_claim_ids_break_on_a_clock_step_back), ClockSteps with { Protocol = Protocol.RecoveryWindow }, Seeds(300));
        Assert.NotEmpty(failed);
    }

    [Fact]
    public void Granted_claim_epochs_ignore_clock_steps()
    {
        var failed = RunSeeds(nameof(Granted_claim_epochs_ignore_clock_steps), ClockSteps with { Protocol = Protocol.Epochs }, Seeds(300));
        Assert.Empty(failed);
    }

    [Fact]
    public void Recovery_window_protocol_misses_moves()
    {
        var failed = RunSeeds(nameof(Recovery_window_protocol_misses_moves), new SimConfig { Protocol = Protocol.RecoveryWindow }, Seeds(500));
        Assert.NotEmpty(failed);
    }
}
