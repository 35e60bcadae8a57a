namespace TixTrigger.Bench.Protocol;

/// <summary>
/// A worker's raw findings, in a form that adds up across workers: counts, histograms, maxima
/// and a few examples. Worker and coordinator share it, so a merged summary has the same shape.
/// </summary>
internal sealed record WorkerSummary
{
    public int Clients { get; init; }

    public int StoppedClients { get; init; }

    public long HeartbeatsSent { get; init; }

    public long HeartbeatSendErrors { get; init; }

    /// <summary>How far behind its schedule the heartbeat sender fell at worst: a sign of an overloaded bench.</summary>
    public double HeartbeatMaxLatenessMs { get; init; }

    /// <summary>Correct pings (right source, right bytes) received during the run.</summary>
    public long PingsReceived { get; init; }

    /// <summary>
    /// Datagrams of any kind that arrived before the client's first heartbeat, so cannot answer it:
    /// a service still pinging the port for its previous owner (an earlier run). Not held against the service.
    /// </summary>
    public long DatagramsBeforeFirstHeartbeat { get; init; }

    public long IntervalsWithinTolerance { get; init; }

    /// <summary>Intervals outside the tolerance, by the second of the run in which they ended: when the trouble was.</summary>
    public long[] OffToleranceBySecond { get; init; } = [];

    public HistogramData Intervals { get; init; } = new();

    public HistogramData FirstPing { get; init; } = new();

    public double LongestGapMs { get; init; }

    public string? LongestGapClient { get; init; }

    public long WrongSource { get; init; }

    public List<string> WrongSourceExamples { get; init; } = [];

    public long WrongBytes { get; init; }

    public List<string> WrongBytesExamples { get; init; } = [];

    public int ClientsWithoutPings { get; init; }

    public List<string> ClientsWithoutPingsExamples { get; init; } = [];

    /// <summary>Clients whose pings ended well before they should have (run end, or their deadline).</summary>
    public int ClientsEndedEarly { get; init; }

    public List<string> ClientsEndedEarlyExamples { get; init; } = [];

    /// <summary>
    /// Over the stopped clients, the earliest and latest of "last ping minus deadline": negative
    /// when pings ended before the deadline. Null when no stopped client got a ping.
    /// </summary>
    public double? StoppedLastPingVsDeadlineMinMs { get; init; }

    public double? StoppedLastPingVsDeadlineMaxMs { get; init; }

    public int StoppedClientsPingedLate { get; init; }

    public List<string> PingedLateExamples { get; init; } = [];

    public double CpuSeconds { get; init; }

    public int GarbageCollections { get; init; }
}
