using TixTrigger.Bench.Measurement;

namespace TixTrigger.Bench.Protocol;

/// <summary>
/// A worker's raw findings, in a form that adds up across workers: counts, histograms, maxima
/// and a few examples. The worker counts into it; the coordinator adds the workers' together.
/// </summary>
internal sealed class WorkerSummary
{
    public int Clients { get; set; }

    public int StoppedClients { get; set; }

    public long HeartbeatsSent { get; set; }

    public long HeartbeatSendErrors { get; set; }

    /// <summary>How far behind its schedule the heartbeat sender fell at worst: a sign of an overloaded bench.</summary>
    public double HeartbeatMaxLatenessMs { get; set; }

    /// <summary>Correct pings (right source, right bytes) received during the run.</summary>
    public long PingsReceived { get; set; }

    /// <summary>
    /// Datagrams of any kind that arrived before the client's first heartbeat, so cannot answer it:
    /// a service still pinging the port for its previous owner (an earlier run). Not held against the service.
    /// </summary>
    public long DatagramsBeforeFirstHeartbeat { get; set; }

    public long IntervalsWithinTolerance { get; set; }

    public long[] OffToleranceBySecond { get; set; } = [];

    public HistogramData Intervals { get; set; } = HistogramData.Empty;

    public HistogramData FirstPing { get; set; } = HistogramData.Empty;

    public double LongestGapMs { get; set; }

    public string? LongestGapClient { get; set; }

    public Cases WrongSource { get; set; } = new();

    public Cases WrongBytes { get; set; } = new();

    public Cases ClientsWithoutPings { get; set; } = new();

    /// <summary>Clients whose pings ended well before they should have (run end, or their deadline).</summary>
    public Cases ClientsEndedEarly { get; set; } = new();

    /// <summary>
    /// Over the stopped clients, the earliest and latest of "last ping minus deadline": negative
    /// when pings ended before the deadline. Null when no stopped client got a ping.
    /// </summary>
    public double? StoppedLastPingVsDeadlineMinMs { get; set; }

    public double? StoppedLastPingVsDeadlineMaxMs { get; set; }

    public Cases StoppedClientsPingedLate { get; set; } = new();

    public Cases ClientsWithMissedPings { get; set; } = new();

    /// <summary>The same counts per target, in the order of the assignment's targets: how each gateway did.</summary>
    public TargetSummary[] ByTarget { get; set; } = [];

    public HistogramData ReadDelay { get; set; } = HistogramData.Empty;

    public long SocketDrops { get; set; }

    public long Unstamped { get; set; }

    public double ClockDriftMs { get; set; }

    public double CpuSeconds { get; set; }

    /// <summary>CPU used from the start of the run to its end (without opening the sockets and analysing).</summary>
    public double RunCpuSeconds { get; set; }

    public int GarbageCollections { get; set; }

    /// <summary>The workers' summaries added into one, as if a single process had run every client.</summary>
    public static MergedSummary Merge(IReadOnlyList<WorkerSummary> parts)
    {
        var (total, intervals, firstPing, readDelay) = (new WorkerSummary(), new Histogram(), new Histogram(), new Histogram());
        foreach (var part in parts)
        {
            total.Add(part);
            intervals.Add(part.Intervals);
            firstPing.Add(part.FirstPing);
            readDelay.Add(part.ReadDelay);
        }
        return new MergedSummary(total, intervals, firstPing, readDelay);
    }

    private void Add(WorkerSummary part)
    {
        Clients += part.Clients;
        StoppedClients += part.StoppedClients;
        HeartbeatsSent += part.HeartbeatsSent;
        HeartbeatSendErrors += part.HeartbeatSendErrors;
        HeartbeatMaxLatenessMs = Math.Max(HeartbeatMaxLatenessMs, part.HeartbeatMaxLatenessMs);
        PingsReceived += part.PingsReceived;
        DatagramsBeforeFirstHeartbeat += part.DatagramsBeforeFirstHeartbeat;
        IntervalsWithinTolerance += part.IntervalsWithinTolerance;
        OffToleranceBySecond = AddUp(OffToleranceBySecond, part.OffToleranceBySecond);
        if (part.LongestGapMs > LongestGapMs) (LongestGapMs, LongestGapClient) = (part.LongestGapMs, part.LongestGapClient);
        WrongSource.Add(part.WrongSource);
        WrongBytes.Add(part.WrongBytes);
        ClientsWithoutPings.Add(part.ClientsWithoutPings);
        ClientsEndedEarly.Add(part.ClientsEndedEarly);
        StoppedLastPingVsDeadlineMinMs = new[] { StoppedLastPingVsDeadlineMinMs, part.StoppedLastPingVsDeadlineMinMs }.Min();
        StoppedLastPingVsDeadlineMaxMs = new[] { StoppedLastPingVsDeadlineMaxMs, part.StoppedLastPingVsDeadlineMaxMs }.Max();
        StoppedClientsPingedLate.Add(part.StoppedClientsPingedLate);
        ClientsWithMissedPings.Add(part.ClientsWithMissedPings);
        ByTarget = [.. Enumerable.Range(0, Math.Max(ByTarget.Length, part.ByTarget.Length)).Select(i => TargetSummary.Sum([.. ByTarget.Skip(i).Take(1), .. part.ByTarget.Skip(i).Take(1)]))];
        Unstamped += part.Unstamped;
        SocketDrops += part.SocketDrops;
        ClockDriftMs = Math.Max(ClockDriftMs, part.ClockDriftMs);
        CpuSeconds += part.CpuSeconds;
        RunCpuSeconds += part.RunCpuSeconds;
        GarbageCollections += part.GarbageCollections;
    }

    private static long[] AddUp(long[] total, long[] part)
    {
        if (part.Length > total.Length) Array.Resize(ref total, part.Length);
        for (int i = 0; i < part.Length; i++) total[i] += part[i];
        return total;
    }
}

/// <summary>The workers' counts added up, with the histograms in a form that answers percentiles.</summary>
internal sealed record MergedSummary(WorkerSummary Total, Histogram Intervals, Histogram FirstPing, Histogram ReadDelay);
