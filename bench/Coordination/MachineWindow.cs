using System.Diagnostics;
using TixTrigger.Bench.Measurement;

namespace TixTrigger.Bench.Coordination;

/// <summary>Reads the machine's busy CPU and the coordinator's own at the start and the end of a run's window.</summary>
internal sealed class MachineWindow
{
    public double BusySeconds { get; private set; }

    public double CoordinatorSeconds { get; private set; }

    public async Task ObserveAsync(long start, long end, CancellationToken cancellation)
    {
        await DelayUntil(start, cancellation);
        double busy = MachineCpu.BusySeconds();
        var own = Process.GetCurrentProcess().TotalProcessorTime;
        await DelayUntil(end, cancellation);
        BusySeconds = MachineCpu.BusySeconds() - busy;
        CoordinatorSeconds = (Process.GetCurrentProcess().TotalProcessorTime - own).TotalSeconds;
    }

    public static Task DelayUntil(long timestamp, CancellationToken cancellation)
    {
        double ms = StopwatchTime.ToMs(timestamp - Stopwatch.GetTimestamp());
        return ms > 0 ? Task.Delay(TimeSpan.FromMilliseconds(ms), cancellation) : Task.CompletedTask;
    }
}
