namespace TixTrigger.Bench.Comparison;

/// <summary>One node's CPU and memory over a subject's run, as /proc and its cgroup tell them.</summary>
/// <param name="CpuSeconds">utime + stime from the start of the load to its end.</param>
/// <param name="CpuCores">Cores used on average during the load (1 = one core busy all the time).</param>
/// <param name="IdleCpuCores">Cores used on average over the idle samples, before the load.</param>
/// <param name="IdleRssKib">VmRSS before the load (median over the idle samples).</param>
/// <param name="LoadedRssKib">VmRSS with the clients (median over the last seconds of the load).</param>
/// <param name="QuotaCores">The node's CPU quota in cores, when it ran in a cgroup of its own.</param>
/// <param name="Periods">CFS periods during the load, and in how many of them the quota stopped the node.</param>
internal sealed record NodeUsage(
    string Name, string Role, int ProcessId, double CpuSeconds, double CpuCores, double IdleCpuCores, long IdleRssKib, long LoadedRssKib, long PeakRssKib,
    double? QuotaCores, double? QuotaPeriodMs, long? Periods, long? ThrottledPeriods, double? ThrottledSeconds, bool ExitedDuringRun, string Log);
