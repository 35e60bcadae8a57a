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

    /// <summary>
    /// All busy time (user + nice + system + irq + softirq + steal), and the interrupt part of it.
    /// Loopback delivery of every ping and heartbeat runs as softirq. With this kernel's tick-based
    /// accounting (no CONFIG_IRQ_TIME_ACCOUNTING) a softirq tick also counts in the stime of the
    /// process it interrupted, mostly the sender, so processes' CPU adds up to the busy time, softirq included.
    /// </summary>
    public static (double Busy, double Interrupts) Read()
    {
        string first = File.ReadLines("/proc/stat").First();
        long[] ticks = [.. first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(field => long.Parse(field, CultureInfo.InvariantCulture))];
        // Fields: user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user).
        long interrupts = ticks[5] + ticks[6];
        long busy = ticks[0] + ticks[1] + ticks[2] + interrupts + (ticks.Length > 7 ? ticks[7] : 0);
        return (busy / ClockTicksPerSecond, interrupts / ClockTicksPerSecond);
    }
}
