using System.Net;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Options;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Coordination;

/// <summary>
/// The load itself, once: starts the workers against the targets, starts them together, and
/// gathers their findings. Whoever runs it may watch the run's window (start and end on the
/// Stopwatch clock) while it happens, e.g. to sample the subject's CPU and memory.
/// </summary>
internal sealed class LoadRun(BenchOptions options, TextWriter output)
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ReportLimitAfterRun = TimeSpan.FromMinutes(1);

    /// <summary>Enough for every worker to read "go" before the instant it names.</summary>
    private static readonly TimeSpan StartLead = TimeSpan.FromMilliseconds(250);

    public delegate Task Observer(long start, long end, CancellationToken cancellation);

    public async Task<LoadResult> RunAsync(IReadOnlyList<IPEndPoint> targets, Observer? observe, CancellationToken interrupted)
    {
        var assignments = WorkerPlan.Split(options, targets);
        using var fleet = WorkerFleet.Start(assignments);
        await fleet.WaitReadyAsync(ReadyLimit, interrupted);
        long start = fleet.Go(StartLead);
        long end = start + StopwatchTime.FromSeconds(options.DurationSeconds);
        output.WriteLine($"running for {options.DurationSeconds} s ...");
        using var stopObserving = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        var machine = new MachineWindow();
        var observing = Task.WhenAll(machine.ObserveAsync(start, end, stopObserving.Token), observe?.Invoke(start, end, stopObserving.Token) ?? Task.CompletedTask);
        try
        {
            var summaries = await fleet.CollectAsync(TimeSpan.FromSeconds(options.DurationSeconds) + StartLead + ReportLimitAfterRun, interrupted);
            await observing;
            return new LoadResult(WorkerSummary.Merge(summaries), fleet.Count, machine.BusySeconds, machine.InterruptSeconds, machine.CoordinatorSeconds);
        }
        finally
        {
            // If the workers failed, the observer must not go on sampling after the run was abandoned.
            await stopObserving.CancelAsync();
            await observing.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}

/// <summary>
/// A load run's findings, with the machine's busy CPU over the run's window (in processes, and in
/// interrupts) and the coordinator's own share of it (the workers report theirs in the summary).
/// </summary>
internal sealed record LoadResult(MergedSummary Merged, int Workers, double MachineBusySeconds, double MachineInterruptSeconds, double CoordinatorCpuSeconds);
