namespace TixTrigger.Bench.Reporting;

/// <summary>How one target (gateway) did, when clients were spread over several.</summary>
internal sealed record TargetReport
{
    public required string Target { get; init; }

    public required int Clients { get; init; }

    public required long PingsReceived { get; init; }

    public required long Intervals { get; init; }

    public required double WithinToleranceFraction { get; init; }

    public required int ClientsWithMissedPings { get; init; }

    public required int ClientsWithoutPings { get; init; }
}
