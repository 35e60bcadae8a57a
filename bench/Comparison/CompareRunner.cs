using TixTrigger.Bench.Coordination;
using TixTrigger.Bench.Nodes;
using TixTrigger.Bench.Options;

namespace TixTrigger.Bench.Comparison;

/// <summary>
/// <c>--compare</c>: the service and then the reference pinger under the same load, one after the
/// other in the same invocation, so that their ratios share the machine's conditions.
/// </summary>
internal sealed class CompareRunner(BenchOptions options, TextWriter output)
{
    public async Task<int> RunAsync(CancellationToken interrupted)
    {
        var comparison = options.Comparison ?? throw new InvalidOperationException("not a comparison");
        var load = SourceAddresses.Spread(options);
        string logs = Deployment.LogFolder($"compare-{comparison.Topology.ToString().ToLowerInvariant()}", comparison.LogDirectory);
        var launcher = new SubjectLauncher(comparison, load.ExpirySeconds, output);
        var measurement = new SubjectMeasurement(load, comparison, output);
        output.WriteLine($"TixTrigger comparison ({comparison.Topology.ToString().ToLowerInvariant()}): {load.Clients:N0} clients from {load.BindAddresses.Count} source address(es), heartbeat every {load.HeartbeatSeconds} s, first ones over {load.SpreadSeconds} s, {load.DurationSeconds} s each");
        output.WriteLine($"node logs in {logs}");

        var service = comparison.Subjects != Subjects.Reference
            ? await measurement.MeasureAsync("service", NodeRole.Service, token => launcher.StartServiceAsync(Path.Combine(logs, "service"), token), interrupted)
            : null;
        var reference = comparison.Subjects != Subjects.Service
            ? await measurement.MeasureAsync("reference", NodeRole.Reference, token => launcher.StartReferenceAsync(Path.Combine(logs, "reference"), token), interrupted)
            : null;

        var report = new ComparisonReport(load, comparison, service, reference, logs);
        new ComparisonWriter(output).Write(report);
        return report.Pass ? ExitCodes.Pass : ExitCodes.Fail;
    }
}
