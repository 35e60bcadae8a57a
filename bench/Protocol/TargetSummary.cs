namespace TixTrigger.Bench.Protocol;

/// <summary>One target's share of a worker's findings; adds up across workers like the totals.</summary>
internal sealed record TargetSummary
{
    public int Clients { get; init; }

    public long PingsReceived { get; init; }

    public long Intervals { get; init; }

    public long IntervalsWithinTolerance { get; init; }

    public int ClientsWithMissedPings { get; init; }

    public int ClientsWithoutPings { get; init; }

    public static TargetSummary Sum(IEnumerable<TargetSummary> parts) => parts.Aggregate(new TargetSummary(), (total, part) => new TargetSummary
    {
        Clients = total.Clients + part.Clients,
        PingsReceived = total.PingsReceived + part.PingsReceived,
        Intervals = total.Intervals + part.Intervals,
        IntervalsWithinTolerance = total.IntervalsWithinTolerance + part.IntervalsWithinTolerance,
        ClientsWithMissedPings = total.ClientsWithMissedPings + part.ClientsWithMissedPings,
        ClientsWithoutPings = total.ClientsWithoutPings + part.ClientsWithoutPings,
    });
}
