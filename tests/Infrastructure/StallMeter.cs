using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// How late the machine lets a thread run: one thread of the test process, at the ping sender's
/// priority (nice -10 where allowed, as the gateway raises its sender), that asks to wake every
/// 10 ms and records each wake-up more than 50 ms late, as a stall from when it was due to when it
/// ran. A collection in the test process (an in-process gateway's too) and cores taken by other
/// work stall it as they stall a sender; a sender held up by its own work (too many pings in one
/// slot) or by a lock another thread holds does not. A failure's message says what it saw, so that
/// late pings can be told from a stalled machine.
/// </summary>
public static class StallMeter
{
    private static readonly long Period = Stopwatch.Frequency / 100;
    private static readonly long Threshold = Stopwatch.Frequency / 20;
    private static readonly List<(long Due, long Ran)> Stalls = [];
    private static readonly Thread Thread = StartThread();

    /// <summary>Starts the meter if it was not running (a test calls it before its window opens).</summary>
    public static void Start() => _ = Thread.IsAlive;

    private static Thread StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "test-stall-meter", Priority = ThreadPriority.Highest };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        try
        {
            if (OperatingSystem.IsLinux()) SetPriority(0, GetTid(), -10);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        long due = Stopwatch.GetTimestamp() + Period;
        while (true)
        {
            long left = due - Stopwatch.GetTimestamp();
            if (left > 0) Thread.Sleep(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency));
            long ran = Stopwatch.GetTimestamp();
            if (ran - due > Threshold)
            {
                lock (Stalls) Stalls.Add((due, ran));
            }
            due = Math.Max(due + Period, ran);
        }
    }

    /// <summary>The stalls that overlap [<paramref name="from"/>, <paramref name="to"/>] (Stopwatch timestamps).</summary>
    public static List<(long Due, long Ran)> During(long from, long to)
    {
        lock (Stalls) return [.. Stalls.Where(stall => stall.Ran >= from && stall.Due <= to)];
    }

    /// <summary>The longest stall overlapping the window; zero if none.</summary>
    public static TimeSpan Longest(long from, long to) =>
        TimeSpan.FromSeconds(During(from, to).Select(stall => stall.Ran - stall.Due).DefaultIfEmpty(0).Max() / (double)Stopwatch.Frequency);

    /// <summary>The stalls of a window in one line, for a failure's message.</summary>
    public static string Describe(long from, long to)
    {
        var stalls = During(from, to);
        return stalls.Count == 0 ? "no stall over 50 ms"
            : $"{stalls.Count} stalls over 50 ms, longest {Longest(from, to).TotalMilliseconds:F0} ms, {stalls.Sum(s => s.Ran - s.Due) * 1000.0 / Stopwatch.Frequency:F0} ms in all";
    }

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();
}
