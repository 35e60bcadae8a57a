namespace TixTrigger.Bench.Nodes;

/// <summary>A cgroup's cpu.stat counters; subtracting two readings gives a run's share.</summary>
internal readonly record struct CpuThrottling(long Periods, long ThrottledPeriods, long ThrottledNanoseconds)
{
    public static CpuThrottling operator -(CpuThrottling end, CpuThrottling start) =>
        new(end.Periods - start.Periods, end.ThrottledPeriods - start.ThrottledPeriods, end.ThrottledNanoseconds - start.ThrottledNanoseconds);
}
