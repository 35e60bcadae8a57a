namespace TixTrigger.Bench.Measurement;

/// <summary>
/// Datagrams of one wrong kind that reached a client: when each arrived (to tell apart those that
/// came before the client said anything) and a description of the first few.
/// </summary>
internal sealed class AnomalyLog
{
    private const int DescribedAtMost = 3;

    private readonly List<(long Arrival, string What)> _described = [];

    public TimeLog Arrivals { get; } = new(4);

    /// <summary>Describing costs an allocation, so only the first few are.</summary>
    public bool WantsDescription => _described.Count < DescribedAtMost;

    public void Add(long arrival, string? what)
    {
        Arrivals.Add(arrival);
        if (what is not null && WantsDescription) _described.Add((arrival, what));
    }

    public int CountBefore(long instant) => CountBetween(long.MinValue, instant - 1);

    public int CountBetween(long from, long to)
    {
        int count = 0;
        foreach (long arrival in Arrivals.Times)
        {
            if (arrival >= from && arrival <= to) count++;
        }
        return count;
    }

    public string? FirstDescribedFrom(long instant) => _described.FirstOrDefault(entry => entry.Arrival >= instant).What;
}
