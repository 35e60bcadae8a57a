namespace TixTrigger.Tests.Simulation;

/// <summary>What the network does to messages between gateways and grains, per run.</summary>
internal sealed record Faults(
    int MinDelayMs = 1,
    int MaxDelayMs = 40,
    /// <summary>Now and then a message is held this long (reorders it behind later ones).</summary>
    int SlowDelayMs = 1_500,
    double SlowRate = 0.03,
    double DuplicateRate = 0.02,
    /// <summary>Independent loss (Orleans runs over TCP: loss comes with crashes, so 0 by default).</summary>
    double LossRate = 0,
    /// <summary>How long a caller waits for an answer that never comes.</summary>
    int CallTimeoutMs = 3_000);

/// <summary>
/// Delivers one-way messages and calls with random delays (hence reordering), duplicates and losses.
/// Whether a message still has somewhere to go (the process or grain activation it was sent to) is
/// decided at delivery, by the <c>deliverable</c> check the sender passes.
/// </summary>
internal sealed class Network(Scheduler scheduler, Random random, Faults faults)
{
    public int Lost { get; private set; }

    private long Delay()
    {
        long delay = random.Next(faults.MinDelayMs, faults.MaxDelayMs + 1);
        if (random.NextDouble() < faults.SlowRate) delay += random.Next(faults.SlowDelayMs);
        return delay;
    }

    private bool Lose()
    {
        if (faults.LossRate <= 0 || random.NextDouble() >= faults.LossRate) return false;
        Lost++;
        return true;
    }

    /// <summary>A one-way message (a tick, a Leave, a Release): maybe lost, maybe delivered twice.</summary>
    public void Send(Func<bool> deliverable, Action deliver) => Send(deliverable, deliver, lost: null);

    /// <summary><paramref name="lost"/> runs (once) if no copy is delivered.</summary>
    private void Send(Func<bool> deliverable, Action deliver, Action? lost)
    {
        if (Lose())
        {
            lost?.Invoke();
            return;
        }
        int copies = random.NextDouble() < faults.DuplicateRate ? 2 : 1;
        int undelivered = copies;
        for (int copy = 0; copy < copies; copy++)
        {
            scheduler.After(Delay(), () =>
            {
                if (deliverable()) deliver();
                else if (--undelivered == 0) lost?.Invoke();
            });
        }
    }

    /// <summary>
    /// A call: the request runs at the callee (perhaps twice), its answer goes back; a caller that
    /// hears nothing fails after the timeout. Exactly one of <paramref name="answered"/> and
    /// <paramref name="failed"/> runs, and only while <paramref name="callerAlive"/>.
    /// </summary>
    public void Call<T>(Func<bool> deliverable, Func<T> handle, Func<bool> callerAlive, Action<T> answered, Action failed)
    {
        long sentAt = scheduler.NowMs;
        bool done = false;
        // The caller's timeout, scheduled only when the call is lost: an event per call fewer.
        void TimedOut() => scheduler.At(sentAt + faults.CallTimeoutMs, () =>
        {
            if (done) return;
            done = true;
            if (callerAlive()) failed();
        });
        Send(deliverable, () =>
        {
            var answer = handle();
            if (Lose())
            {
                TimedOut();
                return;
            }
            scheduler.After(Delay(), () =>
            {
                if (done) return;
                done = true;
                if (callerAlive()) answered(answer);
            });
        }, TimedOut);
    }
}
