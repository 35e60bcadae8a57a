using TixTrigger.Bench.Coordination;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Options;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Reporting;

/// <summary>Reduces the merged summary to the report's figures and passes judgement on them.</summary>
internal static class ReportBuilder
{
    /// <param name="subjectCpuSeconds">The measured subject's CPU over the run, when the bench started it itself (self-check, compare).</param>
    public static BenchReport Build(BenchOptions options, IReadOnlyList<string> targets, LoadResult load, double? pingerLatenessMs, double? subjectCpuSeconds)
    {
        var merged = load.Merged;
        int workers = load.Workers;
        var total = merged.Total;
        double benchCpu = total.RunCpuSeconds + load.CoordinatorCpuSeconds;
        var report = new BenchReport
        {
            Clients = total.Clients,
            Workers = workers,
            Targets = targets,
            HeartbeatSeconds = options.HeartbeatSeconds,
            DurationSeconds = options.DurationSeconds,
            Intervals = merged.Intervals.Count,
            IntervalsWithinTolerance = total.IntervalsWithinTolerance,
            WithinToleranceFraction = merged.Intervals.Count == 0 ? 0 : (double)total.IntervalsWithinTolerance / merged.Intervals.Count,
            RequiredWithinFraction = options.RequireWithin,
            OffToleranceBySecond = total.OffToleranceBySecond.Index().Where(second => second.Item > 0).ToDictionary(second => second.Index, second => second.Item),
            IntervalMinMs = Percentile(merged.Intervals, 0),
            IntervalP50Ms = Percentile(merged.Intervals, 0.50),
            IntervalP99Ms = Percentile(merged.Intervals, 0.99),
            IntervalMaxMs = Percentile(merged.Intervals, 1),
            FirstPingP50Ms = Percentile(merged.FirstPing, 0.50),
            FirstPingP99Ms = Percentile(merged.FirstPing, 0.99),
            FirstPingMaxMs = Percentile(merged.FirstPing, 1),
            LongestGapMs = Ms(total.LongestGapMs),
            LongestGapClient = total.LongestGapClient,
            WrongSource = total.WrongSource,
            WrongBytes = total.WrongBytes,
            ClientsWithoutPings = total.ClientsWithoutPings,
            ClientsEndedEarly = total.ClientsEndedEarly,
            ClientsWithMissedPings = total.ClientsWithMissedPings,
            ByTarget = targets.Count < 2 ? [] : [.. total.ByTarget.Select((target, i) => TargetSummary.Sum([target], targets[i]))],
            PingsReceived = total.PingsReceived,
            DatagramsBeforeFirstHeartbeat = total.DatagramsBeforeFirstHeartbeat,
            HeartbeatsSent = total.HeartbeatsSent,
            HeartbeatSendErrors = total.HeartbeatSendErrors,
            StoppedClients = options.StopsHalf ? total.StoppedClients : null,
            LatestAfterDeadlineMs = total.StoppedLastPingVsDeadlineMaxMs is > 0 and var late ? Ms(late) : null,
            StoppedLastPingVsDeadlineMinMs = total.StoppedLastPingVsDeadlineMinMs is { } earliest ? Ms(earliest) : null,
            StoppedLastPingVsDeadlineMaxMs = total.StoppedLastPingVsDeadlineMaxMs is { } latest ? Ms(latest) : null,
            StoppedClientsPingedLate = options.StopsHalf ? total.StoppedClientsPingedLate : null,
            BenchCpuSeconds = Math.Round(total.CpuSeconds, 2),
            BenchRunCpuSeconds = Math.Round(total.RunCpuSeconds, 2),
            MachineBusyCores = Math.Round(load.MachineBusySeconds / options.DurationSeconds, 3),
            MachineInterruptCores = Math.Round(load.MachineInterruptSeconds / options.DurationSeconds, 3),
            BenchCores = Math.Round(benchCpu / options.DurationSeconds, 3),
            SubjectCores = subjectCpuSeconds is { } subject ? Math.Round(subject / options.DurationSeconds, 3) : null,
            OtherCores = subjectCpuSeconds is { } known ? Math.Round(Math.Max(0, load.MachineBusySeconds - benchCpu - known) / options.DurationSeconds, 3) : null,
            BenchHeartbeatMaxLatenessMs = Ms(total.HeartbeatMaxLatenessMs),
            BenchReadDelayP50Ms = Percentile(merged.ReadDelay, 0.50),
            BenchReadDelayP99Ms = Percentile(merged.ReadDelay, 0.99),
            BenchReadDelayMaxMs = Percentile(merged.ReadDelay, 1),
            BenchSocketDrops = total.SocketDrops,
            BenchUnstamped = total.Unstamped,
            BenchClockDriftMs = Math.Round(total.ClockDriftMs, 3),
            BenchGarbageCollections = total.GarbageCollections,
            ReferencePingerMaxLatenessMs = pingerLatenessMs is { } pinger ? Ms(pinger) : null,
        };
        var failures = Verdict.Failures(report);
        return report with { Pass = failures.Count == 0, Failures = failures };
    }

    private static double? Percentile(Histogram histogram, double fraction) =>
        histogram.Count == 0 ? null
        : fraction == 0 ? Ms(histogram.Min)
        : fraction == 1 ? Ms(histogram.Max)
        : Ms(histogram.Percentile(fraction));

    private static double Ms(double value) => Math.Round(value, 2);
}
