using System.Globalization;

namespace TixTrigger.Bench.Nodes;

/// <summary>
/// A cgroup v1 CPU group with a CFS quota: the node put in it gets at most <c>cores</c> × period of
/// CPU time per period, however idle the machine is. Needs root and /sys/fs/cgroup/cpu (v1).
/// The period matters to a pinger: a node that spends its quota early in a period is stopped for
/// the rest of it, so with the kernel's default 100 ms a quarter-core node can stall for 75 ms.
/// Disposing removes the group once its processes are gone.
/// </summary>
internal sealed class CpuQuotaGroup(string folder, double cores, int periodMicroseconds) : IDisposable
{
    public const string Root = "/sys/fs/cgroup/cpu";

    public string Folder { get; } = folder;

    public double Cores { get; } = cores;

    public int PeriodMicroseconds { get; } = periodMicroseconds;

    public static CpuQuotaGroup Create(string name, CpuQuota quota)
    {
        if (!File.Exists(Path.Combine(Root, "cpu.cfs_quota_us")))
        {
            throw new CannotMeasureException($"a CPU quota needs cgroup v1's cpu controller at {Root}, which is not there");
        }
        string path = Path.Combine(Root, name);
        Directory.CreateDirectory(path);
        var group = new CpuQuotaGroup(path, quota.Cores, quota.PeriodMicroseconds);
        try
        {
            group.Write("cpu.cfs_period_us", quota.PeriodMicroseconds);
            group.Write("cpu.cfs_quota_us", (long)Math.Round(quota.Cores * quota.PeriodMicroseconds));
            return group;
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    /// <summary>Moves the whole process (every thread, and children it starts later) into the group.</summary>
    public void Add(int processId) => Write("cgroup.procs", processId);

    /// <summary>cpu.stat: periods, how many of them the group was throttled in, and for how long in all.</summary>
    public CpuThrottling ReadThrottling()
    {
        var values = File.ReadLines(Path.Combine(Folder, "cpu.stat"))
            .Select(line => line.Split(' ', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => long.TryParse(parts[1], out long value) ? value : 0);
        return new CpuThrottling(values.GetValueOrDefault("nr_periods"), values.GetValueOrDefault("nr_throttled"), values.GetValueOrDefault("throttled_time"));
    }

    private void Write(string file, long value) => File.WriteAllText(Path.Combine(Folder, file), value.ToString(CultureInfo.InvariantCulture));

    public void Dispose()
    {
        for (int attempt = 0; attempt < 50 && Directory.Exists(Folder); attempt++)
        {
            try
            {
                // A group can only be removed empty: anything still in it (it should all be dead) goes back to the root group.
                foreach (string task in File.ReadAllLines(Path.Combine(Folder, "cgroup.procs")))
                {
                    TryWrite(Path.Combine(Root, "cgroup.procs"), task);
                }
                Directory.Delete(Folder);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static void TryWrite(string file, string text)
    {
        try
        {
            File.WriteAllText(file, text);
        }
        catch (IOException)
        {
            // The process exited in the meantime.
        }
    }
}

/// <summary>
/// A CPU limit for a node: <see cref="Cores"/> of CPU time per CFS period of <see cref="PeriodMicroseconds"/>,
/// in a cgroup named after <see cref="GroupPrefix"/> and the node.
/// </summary>
internal readonly record struct CpuQuota(double Cores, int PeriodMicroseconds, string GroupPrefix);

/// <summary>A cgroup's cpu.stat counters; subtracting two readings gives a run's share.</summary>
internal readonly record struct CpuThrottling(long Periods, long ThrottledPeriods, long ThrottledNanoseconds)
{
    public static CpuThrottling operator -(CpuThrottling end, CpuThrottling start) =>
        new(end.Periods - start.Periods, end.ThrottledPeriods - start.ThrottledPeriods, end.ThrottledNanoseconds - start.ThrottledNanoseconds);
}
