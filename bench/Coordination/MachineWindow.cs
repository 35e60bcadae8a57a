using System.Diagnostics;
using TixTrigger.Bench.Measurement;

namespace TixTrigger.Bench.Coordination;

/// <summary>Reads the machine's busy CPU and the coordinator's own at the start and the end of a run's window.</summary>
internal sealed class MachineWindow
{
    /// <summary>Busy time over the window, all cores, interrupts included.</summary>
    public double BusySeconds { get; private set; }

    /// <summary>The part of it in interrupts (mostly softirq: the kernel delivering loopback datagrams).</summary>
    public double InterruptSeconds { get; private set; }

    public double CoordinatorSeconds { get; private set; }

    public async Task ObserveAsync(long start, long end, CancellationToken cancellation)
    {
        await DelayUntil(start, cancellation);
        var machine = MachineCpu.Read();
        var own = Process.GetCurrentProcess().TotalProcessorTime;
        await DelayUntil(end, cancellation);
        var after = MachineCpu.Read();
        BusySeconds = after.Busy - machine.Busy;
        InterruptSeconds = after.Interrupts - machine.Interrupts;
        CoordinatorSeconds = (Process.GetCurrentProcess().TotalProcessorTime - own).TotalSeconds;
    }

    public static Task DelayUntil(long timestamp, CancellationToken cancellation)
    {
        double ms = StopwatchTime.ToMs(timestamp - Stopwatch.GetTimestamp());
        return ms > 0 ? Task.Delay(TimeSpan.FromMilliseconds(ms), cancellation) : Task.CompletedTask;
    }
}
