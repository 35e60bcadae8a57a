using System.Globalization;

namespace TixTrigger.Bench.Measurement;

/// <summary>
/// CPU time the whole machine spent busy (every core, from the first line of /proc/stat), so a run
/// can tell how much of the machine its own processes used and how much went to anything else:
/// on a shared 2-core box, the "anything else" is what makes two runs disagree.
/// </summary>
internal static class MachineCpu
{
    private static readonly double ClockTicksPerSecond = Math.Max(1, Native.Libc.sysconf(Native.Libc.ScClockTicks));

    /// <summary>Time spent in processes (user + nice + system + steal), in seconds summed over the cores: what processes' utime + stime add up to.</summary>
    public static double BusySeconds() => Read().Processes;

    /// <summary>
    /// Both kinds of busy time: in processes, and in interrupts (irq + softirq). Loopback delivery of
    /// every ping and heartbeat runs as softirq, which no process's utime or stime includes.
    /// </summary>
    public static (double Processes, double Interrupts) Read()
    {
        string first = File.ReadLines("/proc/stat").First();
        long[] ticks = [.. first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(field => long.Parse(field, CultureInfo.InvariantCulture))];
        // Fields: user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user).
        long processes = ticks[0] + ticks[1] + ticks[2] + (ticks.Length > 7 ? ticks[7] : 0);
        return (processes / ClockTicksPerSecond, (ticks[5] + ticks[6]) / ClockTicksPerSecond);
    }
}
