using System.Diagnostics;
using System.Net.Sockets;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// One dedicated thread that runs short actions (a datagram to send) at given Stopwatch times, to
/// within a millisecond or two: apps' heartbeats on their own timers, answers due some time after a
/// ping, a forger's schedule. Not <c>Task.Delay</c>: the thread pool's timers fire late by tens of
/// milliseconds on a busy machine, and a test about phases would then measure its own lateness.
/// An action runs once; it may schedule the next one. Disposing stops everything still pending.
/// </summary>
public sealed class Timeline : IDisposable
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 500; // the last 2 ms: spin rather than sleep

    private readonly object _gate = new(); // an object, not a Lock: Monitor.Wait sleeps on it
    private readonly PriorityQueue<Action, (long Due, long Order)> _due = new();
    private readonly Thread _thread;
    private long _order;
    private volatile bool _stopping;

    public Timeline()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "test-timeline", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Send errors of actions (a socket closed meanwhile, an ICMP error from an earlier send): counted, never thrown.</summary>
    public int Errors { get; private set; }

    public void At(long timestamp, Action action)
    {
        lock (_gate)
        {
            _due.Enqueue(action, (timestamp, _order++));
            Monitor.PulseAll(_gate);
        }
    }

    public void After(TimeSpan delay, Action action) => At(Stopwatch.GetTimestamp() + Ticks(delay), action);

    public static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Returns once the Stopwatch reads <paramref name="timestamp"/>: a run's end, measured on the clock its pings are.</summary>
    public static async Task UntilAsync(long timestamp)
    {
        long left = timestamp - Stopwatch.GetTimestamp();
        if (left > 0) await Task.Delay(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency));
        while (Stopwatch.GetTimestamp() < timestamp) await Task.Delay(1);
    }

    private void Run()
    {
        while (!_stopping)
        {
            Action? action = null;
            lock (_gate)
            {
                if (!_due.TryPeek(out _, out var next))
                {
                    Monitor.Wait(_gate, 100);
                    continue;
                }
                long remaining = next.Due - Stopwatch.GetTimestamp();
                if (remaining > SpinTicks)
                {
                    Monitor.Wait(_gate, TimeSpan.FromSeconds((remaining - SpinTicks) / (double)Stopwatch.Frequency));
                    continue;
                }
                if (remaining <= 0) action = _due.Dequeue();
            }
            if (action is null)
            {
                Thread.SpinWait(100);
                continue;
            }
            try
            {
                action();
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                Errors++;
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        lock (_gate) Monitor.PulseAll(_gate);
        _thread.Join();
    }
}
