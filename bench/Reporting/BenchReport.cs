using TixTrigger.Bench.Coordination;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Options;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Reporting;

/// <summary>
/// The figures of one run, each computed where it is declared from the workers' merged findings:
/// what the human-readable lines show and what the final JSON line carries, so the two can never
/// disagree. Times are in milliseconds.
/// </summary>
/// <param name="subjectCpuSeconds">The measured subject's CPU over the run, when the bench started it itself (self-check, compare).</param>
internal sealed class BenchReport(BenchOptions options, IReadOnlyList<string> targets, LoadResult load, double? pingerLatenessMs, double? subjectCpuSeconds)
{
    private readonly WorkerSummary _total = load.Merged.Total;
    private readonly double _benchCpu = load.Merged.Total.RunCpuSeconds + load.CoordinatorCpuSeconds;

    public bool Pass => Failures.Count == 0;

    public IReadOnlyList<string> Failures => field ??= Verdict.Failures(this);

    public int Clients => _total.Clients;

    public int Workers => load.Workers;

    public IReadOnlyList<string> Targets => targets;

    public double HeartbeatSeconds => options.HeartbeatSeconds;

    public double DurationSeconds => options.DurationSeconds;

    public long Intervals => load.Merged.Intervals.Count;

    public long IntervalsWithinTolerance => _total.IntervalsWithinTolerance;

    public double WithinToleranceFraction => Intervals == 0 ? 0 : (double)IntervalsWithinTolerance / Intervals;

    /// <summary>Second of the run → intervals outside the tolerance that ended in it; seconds without any are left out.</summary>
    public IReadOnlyDictionary<int, long> OffToleranceBySecond => field ??= _total.OffToleranceBySecond.Index().Where(second => second.Item > 0).ToDictionary(second => second.Index, second => second.Item);

    public double RequiredWithinFraction => options.RequireWithin;

    public double? IntervalMinMs => Percentile(load.Merged.Intervals, 0);

    public double? IntervalP50Ms => Percentile(load.Merged.Intervals, 0.50);

    public double? IntervalP99Ms => Percentile(load.Merged.Intervals, 0.99);

    public double? IntervalMaxMs => Percentile(load.Merged.Intervals, 1);

    public double? FirstPingP50Ms => Percentile(load.Merged.FirstPing, 0.50);

    public double? FirstPingP99Ms => Percentile(load.Merged.FirstPing, 0.99);

    public double? FirstPingMaxMs => Percentile(load.Merged.FirstPing, 1);

    /// <summary>The longest silence any client had while it was owed pings (max over clients).</summary>
    public double LongestGapMs => Ms(_total.LongestGapMs);

    public string? LongestGapClient => _total.LongestGapClient;

    public long WrongSource => _total.WrongSource.Count;

    public long WrongBytes => _total.WrongBytes.Count;

    public long ClientsWithoutPings => _total.ClientsWithoutPings.Count;

    public long ClientsEndedEarly => _total.ClientsEndedEarly.Count;

    /// <summary>Clients that went more than 1.5 s without a ping while they were owed pings: each missed at least one.</summary>
    public long ClientsWithMissedPings => _total.ClientsWithMissedPings.Count;

    /// <summary>Per target, in the order given; only when there are several.</summary>
    public IReadOnlyList<TargetSummary> ByTarget => field ??= targets.Count < 2 ? [] : [.. _total.ByTarget.Select((target, i) => TargetSummary.Sum([target], targets[i]))];

    public long PingsReceived => _total.PingsReceived;

    public long DatagramsBeforeFirstHeartbeat => _total.DatagramsBeforeFirstHeartbeat;

    public long HeartbeatsSent => _total.HeartbeatsSent;

    public long HeartbeatSendErrors => _total.HeartbeatSendErrors;

    /// <summary>Null unless half of the clients stopped heartbeating.</summary>
    public int? StoppedClients => options.StopsHalf ? _total.StoppedClients : null;

    /// <summary>How long after its deadline a stopped client got a ping, at worst; null when none came after it.</summary>
    public double? LatestAfterDeadlineMs => _total.StoppedLastPingVsDeadlineMaxMs is > 0 and var late ? Ms(late) : null;

    /// <summary>Over the stopped clients: the earliest and the latest of "last ping minus deadline" (negative: before the deadline).</summary>
    public double? StoppedLastPingVsDeadlineMinMs => _total.StoppedLastPingVsDeadlineMinMs is { } earliest ? Ms(earliest) : null;

    public double? StoppedLastPingVsDeadlineMaxMs => _total.StoppedLastPingVsDeadlineMaxMs is { } latest ? Ms(latest) : null;

    public long? StoppedClientsPingedLate => options.StopsHalf ? _total.StoppedClientsPingedLate.Count : null;

    public double BenchCpuSeconds => Math.Round(_total.CpuSeconds, 2);

    /// <summary>The workers' CPU from the start of the run to its end, in seconds: the bench's share of the cores while measuring.</summary>
    public double BenchRunCpuSeconds => Math.Round(_total.RunCpuSeconds, 2);

    /// <summary>The whole machine's busy CPU during the run, in cores (2 = both cores busy all the time).</summary>
    public double MachineBusyCores => Cores(load.MachineBusySeconds);

    /// <summary>Of that, interrupts (softirq: mostly the kernel delivering the run's loopback datagrams, counted in the interrupted process's CPU too).</summary>
    public double MachineInterruptCores => Cores(load.MachineInterruptSeconds);

    /// <summary>The bench's share of it: workers and coordinator.</summary>
    public double BenchCores => Cores(_benchCpu);

    /// <summary>The measured subject's share, when the bench started it (self-check, compare).</summary>
    public double? SubjectCores => subjectCpuSeconds is { } subject ? Cores(subject) : null;

    /// <summary>What neither the bench nor the subject used: other people's builds and tests on a shared box.</summary>
    public double? OtherCores => subjectCpuSeconds is { } known ? Cores(Math.Max(0, load.MachineBusySeconds - _benchCpu - known)) : null;

    public double BenchHeartbeatMaxLatenessMs => Ms(_total.HeartbeatMaxLatenessMs);

    /// <summary>From the kernel's receive stamp to the bench reading a datagram: kept out of every figure above by the kernel stamps.</summary>
    public double? BenchReadDelayP50Ms => Percentile(load.Merged.ReadDelay, 0.50);

    public double? BenchReadDelayP99Ms => Percentile(load.Merged.ReadDelay, 0.99);

    public double? BenchReadDelayMaxMs => Percentile(load.Merged.ReadDelay, 1);

    /// <summary>Datagrams the kernel dropped at the bench's client sockets (SO_RXQ_OVFL): pings lost by the bench, not the service.</summary>
    public long BenchSocketDrops => _total.SocketDrops;

    /// <summary>Datagrams without a kernel stamp, stamped on reading instead (expected: none).</summary>
    public long BenchUnstamped => _total.Unstamped;

    /// <summary>How far the real-time clock moved against the monotonic one during the run (NTP); the stamps are corrected for it.</summary>
    public double BenchClockDriftMs => Math.Round(_total.ClockDriftMs, 3);

    /// <summary>Garbage collections in all workers together; each one could pause the receive path.</summary>
    public int BenchGarbageCollections => _total.GarbageCollections;

    /// <summary>Only with --self-check: how late the bench's own pinger was at worst.</summary>
    public double? ReferencePingerMaxLatenessMs => pingerLatenessMs is { } pinger ? Ms(pinger) : null;

    private double Cores(double seconds) => Math.Round(seconds / options.DurationSeconds, 3);

    private static double? Percentile(Histogram histogram, double fraction) =>
        histogram.Count == 0 ? null
        : fraction == 0 ? Ms(histogram.Min)
        : fraction == 1 ? Ms(histogram.Max)
        : Ms(histogram.Percentile(fraction));

    private static double Ms(double value) => Math.Round(value, 2);
}
