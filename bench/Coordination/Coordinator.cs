using System.Net;
using System.Net.Sockets;
using TixTrigger.Bench.Comparison;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Nodes;
using TixTrigger.Bench.Options;
using TixTrigger.Bench.Reporting;

namespace TixTrigger.Bench.Coordination;

/// <summary>Runs one measurement against the given service, or against the reference pinger (--self-check), and judges it.</summary>
internal sealed class Coordinator(BenchOptions options, TextWriter output)
{
    public async Task<int> RunAsync(CancellationToken interrupted)
    {
        await using var reference = options.SelfCheck ? await StartReferenceAsync(interrupted) : null;
        IReadOnlyList<IPEndPoint> targets = reference?.Targets ?? options.Targets;
        WriteHeader(targets, WorkerPlan.Split(options, targets).Count, reference is not null);

        await QuietMachine.WaitAsync(options.WaitQuietSeconds, [.. reference?.Nodes.Select(node => node.Id) ?? []], output, interrupted);
        var sampler = reference is null ? null : new ResourceSampler(reference);
        var load = await new LoadRun(options, output).RunAsync(targets, sampler is null ? null : sampler.SampleRunAsync, interrupted);
        double? referenceCpu = reference is null ? null : sampler!.UsageOf(reference.Nodes[0]).CpuSeconds;
        double? pingerLateness = reference is null ? null : await ReferenceStop.StopAndReadLatenessAsync(reference);
        var report = new BenchReport(options, targets.Select(target => target.ToString()).ToArray(), load, pingerLateness, referenceCpu);
        new ReportWriter(output).Write(report, load.Merged.Total);
        return report.Pass ? ExitCodes.Pass : ExitCodes.Fail;
    }

    private Task<Deployment> StartReferenceAsync(CancellationToken interrupted)
    {
        bool v6 = options.BindAddresses.FirstOrDefault()?.AddressFamily == AddressFamily.InterNetworkV6;
        string logs = Deployment.LogFolder("self-check", null);
        return SubjectLauncher.StartReferenceAsync(logs, v6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 1, options.ExpirySeconds, null, interrupted);
    }

    private void WriteHeader(IReadOnlyList<IPEndPoint> targets, int workers, bool selfCheck)
    {
        output.WriteLine($"TixTrigger bench: {options.Clients} clients in {workers} worker process(es) -> {string.Join(", ", targets)}{(selfCheck ? " (the reference pinger, bench/Reference)" : "")}");
        output.WriteLine($"heartbeat every {options.HeartbeatSeconds} s, first ones spread over {options.SpreadSeconds} s; run {options.DurationSeconds} s");
        if (options.StopHalfAfterSeconds is { } stopAfter)
        {
            output.WriteLine($"half of the clients stop heartbeating after {stopAfter} s; deadline = their last heartbeat + {options.ExpirySeconds} s");
        }
    }
}
