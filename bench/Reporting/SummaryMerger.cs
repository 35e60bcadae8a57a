using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Reporting;

/// <summary>Adds the workers' summaries into one, as if a single process had run every client.</summary>
internal static class SummaryMerger
{
    public static MergedSummary Merge(IReadOnlyList<WorkerSummary> parts)
    {
        var intervals = new Histogram();
        var firstPing = new Histogram();
        var readDelay = new Histogram();
        foreach (var part in parts)
        {
            intervals.Add(part.Intervals);
            firstPing.Add(part.FirstPing);
            readDelay.Add(part.ReadDelay);
        }
        var longestGap = parts.MaxBy(part => part.LongestGapMs);
        var total = new WorkerSummary
        {
            Clients = parts.Sum(part => part.Clients),
            StoppedClients = parts.Sum(part => part.StoppedClients),
            HeartbeatsSent = parts.Sum(part => part.HeartbeatsSent),
            HeartbeatSendErrors = parts.Sum(part => part.HeartbeatSendErrors),
            HeartbeatMaxLatenessMs = parts.Max(part => part.HeartbeatMaxLatenessMs),
            PingsReceived = parts.Sum(part => part.PingsReceived),
            DatagramsBeforeFirstHeartbeat = parts.Sum(part => part.DatagramsBeforeFirstHeartbeat),
            IntervalsWithinTolerance = parts.Sum(part => part.IntervalsWithinTolerance),
            OffToleranceBySecond = AddUp(parts.Select(part => part.OffToleranceBySecond)),
            LongestGapMs = longestGap?.LongestGapMs ?? 0,
            LongestGapClient = longestGap?.LongestGapClient,
            WrongSource = parts.Sum(part => part.WrongSource),
            WrongSourceExamples = Examples.Concat(parts.Select(part => part.WrongSourceExamples)),
            WrongBytes = parts.Sum(part => part.WrongBytes),
            WrongBytesExamples = Examples.Concat(parts.Select(part => part.WrongBytesExamples)),
            ClientsWithoutPings = parts.Sum(part => part.ClientsWithoutPings),
            ClientsWithoutPingsExamples = Examples.Concat(parts.Select(part => part.ClientsWithoutPingsExamples)),
            ClientsEndedEarly = parts.Sum(part => part.ClientsEndedEarly),
            ClientsEndedEarlyExamples = Examples.Concat(parts.Select(part => part.ClientsEndedEarlyExamples)),
            StoppedLastPingVsDeadlineMinMs = parts.Min(part => part.StoppedLastPingVsDeadlineMinMs),
            StoppedLastPingVsDeadlineMaxMs = parts.Max(part => part.StoppedLastPingVsDeadlineMaxMs),
            StoppedClientsPingedLate = parts.Sum(part => part.StoppedClientsPingedLate),
            PingedLateExamples = Examples.Concat(parts.Select(part => part.PingedLateExamples)),
            ClientsWithMissedPings = parts.Sum(part => part.ClientsWithMissedPings),
            MissedPingsExamples = Examples.Concat(parts.Select(part => part.MissedPingsExamples)),
            ByTarget = [.. Enumerable.Range(0, parts.Max(part => part.ByTarget.Length)).Select(target => TargetSummary.Sum(parts.Where(part => target < part.ByTarget.Length).Select(part => part.ByTarget[target])))],
            Unstamped = parts.Sum(part => part.Unstamped),
            SocketDrops = parts.Sum(part => part.SocketDrops),
            ClockDriftMs = parts.Max(part => part.ClockDriftMs),
            CpuSeconds = parts.Sum(part => part.CpuSeconds),
            RunCpuSeconds = parts.Sum(part => part.RunCpuSeconds),
            GarbageCollections = parts.Sum(part => part.GarbageCollections),
        };
        return new MergedSummary(total, intervals, firstPing, readDelay);
    }

    private static long[] AddUp(IEnumerable<long[]> series)
    {
        var total = Array.Empty<long>();
        foreach (var part in series)
        {
            if (part.Length > total.Length) Array.Resize(ref total, part.Length);
            for (int i = 0; i < part.Length; i++) total[i] += part[i];
        }
        return total;
    }
}
