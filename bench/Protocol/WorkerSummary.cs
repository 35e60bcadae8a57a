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

    /// <summary>Clients that went more than 1.5 s without a ping while the service owed them pings (after their first one).</summary>
    public int ClientsWithMissedPings { get; init; }

    public List<string> MissedPingsExamples { get; init; } = [];

    /// <summary>The same counts per target, in the order of the assignment's targets: how each gateway did.</summary>
    public TargetSummary[] ByTarget { get; init; } = [];

    /// <summary>From the kernel's receive stamp to the bench reading the datagram: what would have been measured as jitter without kernel stamps.</summary>
    public HistogramData ReadDelay { get; init; } = new();

    /// <summary>Datagrams the kernel dropped at the bench's own client sockets (full receive buffers): the bench's losses, not the service's.</summary>
    public long SocketDrops { get; init; }

    /// <summary>Datagrams without a kernel timestamp, stamped on reading instead (expected: none).</summary>
    public long Unstamped { get; init; }

    /// <summary>How far the offset between CLOCK_REALTIME (kernel stamps) and the monotonic clock moved during the run.</summary>
    public double ClockDriftMs { get; init; }

    public double CpuSeconds { get; init; }

    /// <summary>CPU used from the start of the run to its end (without opening the sockets and analysing).</summary>
    public double RunCpuSeconds { get; init; }

    public int GarbageCollections { get; init; }
}
