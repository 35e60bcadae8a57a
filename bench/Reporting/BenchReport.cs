using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Reporting;

/// <summary>
/// The figures of one run: what the human-readable lines show and what the final JSON line
/// carries, so the two can never disagree. Times are in milliseconds.
/// </summary>
internal sealed record BenchReport
{
    public bool Pass { get; init; }

    public IReadOnlyList<string> Failures { get; init; } = [];

    public required int Clients { get; init; }

    public required int Workers { get; init; }

    public required IReadOnlyList<string> Targets { get; init; }

    public required double HeartbeatSeconds { get; init; }

    public required double DurationSeconds { get; init; }

    public required long Intervals { get; init; }

    public required long IntervalsWithinTolerance { get; init; }

    public required double WithinToleranceFraction { get; init; }

    /// <summary>Second of the run → intervals outside the tolerance that ended in it; seconds without any are left out.</summary>
    public required IReadOnlyDictionary<int, long> OffToleranceBySecond { get; init; }

    public required double RequiredWithinFraction { get; init; }

    public required double? IntervalMinMs { get; init; }

    public required double? IntervalP50Ms { get; init; }

    public required double? IntervalP99Ms { get; init; }

    public required double? IntervalMaxMs { get; init; }

    public required double? FirstPingP50Ms { get; init; }

    public required double? FirstPingP99Ms { get; init; }

    public required double? FirstPingMaxMs { get; init; }

    /// <summary>The longest silence any client had while it was owed pings (max over clients).</summary>
    public required double LongestGapMs { get; init; }

    public required string? LongestGapClient { get; init; }

    public required long WrongSource { get; init; }

    public required long WrongBytes { get; init; }

    public required int ClientsWithoutPings { get; init; }

    public required int ClientsEndedEarly { get; init; }

    /// <summary>Clients that went more than 1.5 s without a ping while they were owed pings: each missed at least one.</summary>
    public required int ClientsWithMissedPings { get; init; }

    /// <summary>Per target, in the order given; only when there are several.</summary>
    public required IReadOnlyList<TargetSummary> ByTarget { get; init; }

    public required long PingsReceived { get; init; }

    public required long DatagramsBeforeFirstHeartbeat { get; init; }

    public required long HeartbeatsSent { get; init; }

    public required long HeartbeatSendErrors { get; init; }

    /// <summary>Null unless half of the clients stopped heartbeating.</summary>
    public required int? StoppedClients { get; init; }

    /// <summary>How long after its deadline a stopped client got a ping, at worst; null when none came after it.</summary>
    public required double? LatestAfterDeadlineMs { get; init; }

    /// <summary>Over the stopped clients: the earliest of "last ping minus deadline" (negative: before the deadline).</summary>
    public required double? StoppedLastPingVsDeadlineMinMs { get; init; }

    /// <summary>Over the stopped clients: the latest of "last ping minus deadline".</summary>
    public required double? StoppedLastPingVsDeadlineMaxMs { get; init; }

    public required int? StoppedClientsPingedLate { get; init; }

    public required double BenchCpuSeconds { get; init; }

    /// <summary>The workers' CPU from the start of the run to its end, in seconds: the bench's share of the cores while measuring.</summary>
    public required double BenchRunCpuSeconds { get; init; }

    /// <summary>The whole machine's busy CPU during the run, in cores (2 = both cores busy all the time).</summary>
    public required double MachineBusyCores { get; init; }

    /// <summary>Of that, interrupts (softirq: mostly the kernel delivering the run's loopback datagrams, counted in the interrupted process's CPU too).</summary>
    public required double MachineInterruptCores { get; init; }

    /// <summary>The bench's share of it: workers and coordinator.</summary>
    public required double BenchCores { get; init; }

    /// <summary>The measured subject's share, when the bench started it (self-check, compare).</summary>
    public required double? SubjectCores { get; init; }

    /// <summary>What neither the bench nor the subject used: other people's builds and tests on a shared box.</summary>
    public required double? OtherCores { get; init; }

    public required double BenchHeartbeatMaxLatenessMs { get; init; }

    /// <summary>From the kernel's receive stamp to the bench reading a datagram (p50/p99/max): kept out of every figure above by the kernel stamps.</summary>
    public required double? BenchReadDelayP50Ms { get; init; }

    public required double? BenchReadDelayP99Ms { get; init; }

    public required double? BenchReadDelayMaxMs { get; init; }

    /// <summary>Datagrams the kernel dropped at the bench's client sockets (SO_RXQ_OVFL): pings lost by the bench, not the service.</summary>
    public required long BenchSocketDrops { get; init; }

    /// <summary>Datagrams without a kernel stamp, stamped on reading instead (expected: none).</summary>
    public required long BenchUnstamped { get; init; }

    /// <summary>How far the real-time clock moved against the monotonic one during the run (NTP); the stamps are corrected for it.</summary>
    public required double BenchClockDriftMs { get; init; }

    /// <summary>Garbage collections in all workers together; each one could pause the receive path.</summary>
    public required int BenchGarbageCollections { get; init; }

    /// <summary>Only with --self-check: how late the bench's own pinger was at worst.</summary>
    public required double? ReferencePingerMaxLatenessMs { get; init; }
}
