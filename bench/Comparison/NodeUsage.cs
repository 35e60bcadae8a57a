namespace TixTrigger.Bench.Comparison;

/// <summary>One node's CPU and memory over a subject's run, as /proc and its cgroup tell them.</summary>
internal sealed record NodeUsage
{
    public required string Name { get; init; }

    public required string Role { get; init; }

    public required int ProcessId { get; init; }

    /// <summary>utime + stime from the start of the load to its end.</summary>
    public required double CpuSeconds { get; init; }

    /// <summary>Cores used on average during the load (1 = one core busy all the time).</summary>
    public required double CpuCores { get; init; }

    /// <summary>Cores used on average over the idle samples, before the load.</summary>
    public required double IdleCpuCores { get; init; }

    /// <summary>VmRSS before the load (median over the idle samples).</summary>
    public required long IdleRssKib { get; init; }

    /// <summary>VmRSS with the clients (median over the last seconds of the load).</summary>
    public required long LoadedRssKib { get; init; }

    public required long PeakRssKib { get; init; }

    /// <summary>The node's CPU quota in cores, when it ran in a cgroup of its own.</summary>
    public double? QuotaCores { get; init; }

    public double? QuotaPeriodMs { get; init; }

    /// <summary>CFS periods during the load, and in how many of them the quota stopped the node.</summary>
    public long? Periods { get; init; }

    public long? ThrottledPeriods { get; init; }

    public double? ThrottledSeconds { get; init; }

    public required bool ExitedDuringRun { get; init; }

    public required string Log { get; init; }
}
