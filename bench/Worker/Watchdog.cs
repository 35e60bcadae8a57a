namespace TixTrigger.Bench.Worker;

/// <summary>
/// Ends the worker process if it outlives its purpose: no word from the coordinator, or a run
/// that should have finished long ago. A load generator must never linger.
/// </summary>
internal sealed class Watchdog : IDisposable
{
    public const int TimedOutExitCode = 4;
    public const int CoordinatorGoneExitCode = 3;

    private readonly Timer _timer;

    public Watchdog(TimeSpan limit)
    {
        _timer = new Timer(_ => Exit(TimedOutExitCode, "ran past its time limit"), null, limit, Timeout.InfiniteTimeSpan);
    }

    public void Reset(TimeSpan limit) => _timer.Change(limit, Timeout.InfiniteTimeSpan);

    /// <summary>The coordinator holds our stdin open for the whole run; end of input means it is gone.</summary>
    public static void ExitWhenInputEnds(TextReader input)
    {
        var thread = new Thread(() =>
        {
            while (input.ReadLine() is not null)
            {
            }
            Exit(CoordinatorGoneExitCode, "lost its coordinator");
        })
        {
            IsBackground = true,
            Name = "coordinator-watch",
        };
        thread.Start();
    }

    private static void Exit(int code, string why)
    {
        Console.Error.WriteLine($"worker {Environment.ProcessId} {why}; exiting");
        Environment.Exit(code);
    }

    public void Dispose() => _timer.Dispose();
}
