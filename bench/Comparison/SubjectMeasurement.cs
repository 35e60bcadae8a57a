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
        return new SubjectFigures(subject, load, nodes, own, sampler.UdpDuringRun, socketDrops, lateness);
    }
}
