using TixTrigger.Bench.Coordination;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Nodes;
using TixTrigger.Bench.Options;
using TixTrigger.Bench.Reporting;

namespace TixTrigger.Bench.Comparison;

/// <summary>
/// Measures one subject: it is started and ready, its idle memory is sampled, the load runs while
/// its CPU, memory and the kernel's UDP counters are sampled, and then it is stopped. Whatever
/// happens, its nodes are gone when this returns.
/// </summary>
internal sealed class SubjectMeasurement(BenchOptions options, ComparisonOptions comparison, TextWriter output)
{
    public async Task<SubjectFigures> MeasureAsync(string subject, NodeRole role, Func<CancellationToken, Task<Deployment>> start, CancellationToken interrupted)
    {
        output.WriteLine();
        output.WriteLine($"== {subject} ==");
        await using var deployment = await start(interrupted);
        output.WriteLine($"{subject} ready on udp {string.Join(", ", deployment.Targets)}; left idle {comparison.IdleAfterSeconds:F0} s, then its idle memory and CPU sampled for {comparison.IdleSeconds:F0} s ...");
        var sampler = new ResourceSampler(deployment);
        await Task.Delay(TimeSpan.FromSeconds(comparison.IdleAfterSeconds), interrupted);
        await sampler.SampleIdleAsync(TimeSpan.FromSeconds(comparison.IdleSeconds), interrupted);

        await QuietMachine.WaitAsync(options.WaitQuietSeconds, [.. deployment.Nodes.Select(node => node.Id)], output, interrupted);
        var result = await new LoadRun(options, output).RunAsync(deployment.Targets, sampler.SampleRunAsync, interrupted);
        // Read while the subject still runs: the drop counters live as long as its sockets.
        long socketDrops = UdpCounters.SocketDrops([.. deployment.Targets.Select(target => target.Port)]);
        var nodes = deployment.Nodes.Select(sampler.UsageOf).ToArray();
        double? lateness = role == NodeRole.Reference ? await ReferenceStop.StopAndReadLatenessAsync(deployment) : null;

        string[] targets = [.. deployment.Targets.Select(target => target.ToString())];
        // Everything the subject started counts as the subject's for the machine's account (redis too).
        var load = new BenchReport(options, targets, result, lateness, nodes.Sum(node => node.CpuSeconds));
        var own = nodes.Where(node => node.Role == role.ToString().ToLowerInvariant()).ToArray();
        double cpu = own.Sum(node => node.CpuSeconds);
        double cores = cpu / options.DurationSeconds;
        double pingsPerSecond = load.PingsReceived / options.DurationSeconds;
        long idle = own.Sum(node => node.IdleRssKib);
        long loaded = own.Sum(node => node.LoadedRssKib);
        double idleCores = own.Sum(node => node.IdleCpuCores);
        // What the clients cost: the CPU above what the subject spends with none.
        double overIdle = Math.Max(0, cores - idleCores);
        var udp = sampler.UdpDuringRun;
        return new SubjectFigures
        {
            Subject = subject,
            Targets = targets,
            Load = load,
            CpuSeconds = Math.Round(cpu, 2),
            CpuCores = Math.Round(cores, 3),
            PingsPerSecond = Math.Round(pingsPerSecond, 1),
            CpuCoresPerThousandPingsPerSecond = pingsPerSecond > 0 ? Math.Round(cores / (pingsPerSecond / 1000), 5) : null,
            IdleCpuCores = Math.Round(idleCores, 4),
            CpuCoresOverIdle = Math.Round(overIdle, 4),
            CpuOverIdlePerThousandPingsPerSecond = pingsPerSecond > 0 ? Math.Round(overIdle / (pingsPerSecond / 1000), 5) : null,
            IdleRssKib = idle,
            LoadedRssKib = loaded,
            RssPerClientKib = Math.Round((double)(loaded - idle) / options.Clients, 3),
            UdpReceiveBufferErrors = udp.ReceiveBufferErrors,
            UdpSendBufferErrors = udp.SendBufferErrors,
            SocketDrops = socketDrops,
            PingerMaxLatenessMs = lateness,
            Nodes = nodes,
        };
    }
}
