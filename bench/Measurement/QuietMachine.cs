using System.Diagnostics;

namespace TixTrigger.Bench.Measurement;

/// <summary>
/// On a machine shared with other people's builds and tests, waits (up to a limit) until processes
/// other than the bench and its subject use little CPU, so that the load starts on a quiet box.
/// It cannot keep the box quiet; the report's "other processes" says how quiet it stayed.
/// </summary>
internal static class QuietMachine
{
    /// <summary>Other processes below this many cores count as quiet: idle daemons, a shell, an editor.</summary>
    public const double QuietCores = 0.2;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    public static async Task WaitAsync(double maxSeconds, IReadOnlyCollection<int> ownProcesses, TextWriter output, CancellationToken cancellation)
    {
        if (maxSeconds <= 0) return;
        long deadline = Stopwatch.GetTimestamp() + StopwatchTime.FromSeconds(maxSeconds);
        var waited = Stopwatch.StartNew();
        int[] own = [Environment.ProcessId, .. ownProcesses];
        bool announced = false;
        while (true)
        {
            double machine = MachineCpu.Read().Busy;
            double ours = Ours(own);
            await Task.Delay(Window, cancellation);
            double others = (MachineCpu.Read().Busy - machine - (Ours(own) - ours)) / Window.TotalSeconds;
            if (others < QuietCores)
            {
                if (announced) output.WriteLine($"quiet after {waited.Elapsed.TotalSeconds:F0} s (other processes {others:F2} cores)");
                return;
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                output.WriteLine($"the machine did not quiet down within {maxSeconds:F0} s (other processes use {others:F2} cores); measuring anyway");
                return;
            }
            if (!announced) output.WriteLine($"waiting up to {maxSeconds:F0} s for other processes to use under {QuietCores} cores (now {others:F2}) ...");
            announced = true;
        }
    }

    private static double Ours(int[] processes) => processes.Sum(process => ProcFs.CpuSeconds(process) ?? 0);
}
