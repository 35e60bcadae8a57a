using System.Net;
using System.Net.Sockets;
using TixTrigger.Bench.Options;
using TixTrigger.Bench.Reporting;
using TixTrigger.Bench.SelfCheck;

namespace TixTrigger.Bench.Coordination;

/// <summary>Runs one measurement: starts the workers, starts them together, gathers and judges their findings.</summary>
internal sealed class Coordinator(BenchOptions options, TextWriter output)
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ReportLimitAfterRun = TimeSpan.FromMinutes(1);

    /// <summary>Enough for every worker to read "go" before the instant it names.</summary>
    private static readonly TimeSpan StartLead = TimeSpan.FromMilliseconds(250);

    public async Task<int> RunAsync(CancellationToken interrupted)
    {
        using var pinger = options.SelfCheck ? ReferencePinger.Start(SelfCheckFamily(), options.ExpirySeconds ?? 120) : null;
        IReadOnlyList<IPEndPoint> targets = pinger is null ? options.Targets : [pinger.Endpoint];
        var assignments = WorkerPlan.Split(options, targets);
        WriteHeader(targets, assignments.Count, pinger is not null);

        using var fleet = WorkerFleet.Start(assignments);
        await fleet.WaitReadyAsync(ReadyLimit, interrupted);
        fleet.Go(StartLead);
        output.WriteLine($"running for {options.DurationSeconds} s ...");
        var summaries = await fleet.CollectAsync(TimeSpan.FromSeconds(options.DurationSeconds) + StartLead + ReportLimitAfterRun, interrupted);

        var merged = SummaryMerger.Merge(summaries);
        var report = ReportBuilder.Build(options, targets.Select(target => target.ToString()).ToArray(), fleet.Count, merged, pinger?.MaxLatenessMs);
        new ReportWriter(output).Write(report, merged.Total);
        return report.Pass ? ExitCodes.Pass : ExitCodes.Fail;
    }

    private AddressFamily SelfCheckFamily() => options.BindAddresses.FirstOrDefault()?.AddressFamily ?? AddressFamily.InterNetwork;

    private void WriteHeader(IReadOnlyList<IPEndPoint> targets, int workers, bool selfCheck)
    {
        output.WriteLine($"TixTrigger bench: {options.Clients} clients in {workers} worker process(es) -> {string.Join(", ", targets)}{(selfCheck ? " (the bench's own reference pinger)" : "")}");
        output.WriteLine($"heartbeat every {options.HeartbeatSeconds} s, first ones spread over {options.SpreadSeconds} s; run {options.DurationSeconds} s");
        if (options.StopHalfAfterSeconds is { } stopAfter)
        {
            output.WriteLine($"half of the clients stop heartbeating after {stopAfter} s; deadline = their last heartbeat + {options.ExpirySeconds} s");
        }
    }
}
