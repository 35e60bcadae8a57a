namespace TixTrigger.Tests.Simulation;

/// <summary>
/// The simulation's only clock and only source of concurrency: events run one at a time in order of
/// (virtual time, order of scheduling), so a seed replays exactly. No wall clock, no thread pool.
/// </summary>
internal sealed class Scheduler
{
    private readonly PriorityQueue<Action, (long AtMs, long Order)> _events = new();
    private long _order;

    /// <summary>Virtual milliseconds since the run started.</summary>
    public long NowMs { get; private set; }

    public void At(long atMs, Action action) => _events.Enqueue(action, (Math.Max(atMs, NowMs), _order++));

    /// <summary>How many events were scheduled: the run's cost.</summary>
    public long Events => _order;

    public void After(long delayMs, Action action) => At(NowMs + delayMs, action);

    /// <summary>Runs every event due up to <paramref name="untilMs"/>, then sets the clock there.</summary>
    public void RunUntil(long untilMs)
    {
        while (_events.TryPeek(out var action, out var key) && key.AtMs <= untilMs)
        {
            _events.Dequeue();
            NowMs = key.AtMs;
            action();
        }
        NowMs = untilMs;
    }
}
