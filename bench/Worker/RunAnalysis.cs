using System.Diagnostics;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Worker;

/// <summary>
/// Turns the clients' raw logs into the worker's summary once the run is over. Done afterwards,
/// not while receiving, so that measuring costs the receive path nothing and a stopped client's
/// deadline is known for certain (its last heartbeat is final by then).
/// </summary>
internal sealed class RunAnalysis(RunWindow window, int targetCount)
{
    private static readonly long GraceTicks = StopwatchTime.FromSeconds(Tolerances.StopGraceMs / 1000);

    private readonly Histogram _intervals = new();
    private readonly Histogram _firstPing = new();
    private readonly WorkerSummary _summary = new()
    {
        OffToleranceBySecond = new long[(int)Math.Ceiling(StopwatchTime.ToMs(window.End - window.Start) / 1000) + 1],
        ByTarget = [.. Enumerable.Range(0, targetCount).Select(_ => new TargetSummary())],
    };
    private long? _lastPingOffsetMin;
    private long? _lastPingOffsetMax;
    private long _longestGap;

    public WorkerSummary Summarize(IReadOnlyList<SimulatedClient> clients, HeartbeatSender heartbeats, EpollReceiver receiver, TimeSpan runCpu)
    {
        foreach (var client in clients) Analyze(client);
        var summary = _summary;
        summary.Clients = clients.Count;
        summary.HeartbeatsSent = heartbeats.Sent;
        summary.HeartbeatSendErrors = heartbeats.Errors;
        summary.HeartbeatMaxLatenessMs = StopwatchTime.ToMs(heartbeats.MaxLateness);
        summary.Intervals = _intervals.ToData();
        summary.FirstPing = _firstPing.ToData();
        summary.LongestGapMs = StopwatchTime.ToMs(_longestGap);
        summary.StoppedLastPingVsDeadlineMinMs = _lastPingOffsetMin is { } earliest ? StopwatchTime.ToMs(earliest) : null;
        summary.StoppedLastPingVsDeadlineMaxMs = _lastPingOffsetMax is { } latest ? StopwatchTime.ToMs(latest) : null;
        summary.ReadDelay = receiver.ReadDelay.ToData();
        summary.Unstamped = receiver.Unstamped;
        summary.SocketDrops = clients.Sum(client => client.Dropped);
        summary.ClockDriftMs = receiver.ClockDriftMs;
        summary.CpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        summary.RunCpuSeconds = runCpu.TotalSeconds;
        summary.GarbageCollections = GC.CollectionCount(0);
        return summary;
    }

    private void Analyze(SimulatedClient client)
    {
        var tally = _summary.ByTarget[client.Spec.TargetIndex];
        tally.Clients++;
        var heartbeats = client.Heartbeats.Times;
        long firstHeartbeat = heartbeats.IsEmpty ? long.MaxValue : heartbeats[0];
        CountMisdirected(client, firstHeartbeat);
        if (heartbeats.IsEmpty)
        {
            NoteWithoutPings(client, tally);
            return;
        }
        long? deadline = client.Spec.StopsHeartbeating && window.Expiry is { } expiry ? heartbeats[^1] + expiry : null;
        if (deadline is not null) _summary.StoppedClients++;
        // Intervals and gaps count only while the service owes the client pings.
        long aliveUntil = Math.Min(deadline ?? window.End, window.End);

        long? first = null;
        long? previous = null;
        long? lastPing = null;
        long gap = 0;
        foreach (long arrival in client.Pings.Times)
        {
            if (arrival > window.End) break;
            if (arrival < firstHeartbeat)
            {
                _summary.DatagramsBeforeFirstHeartbeat++;
                continue;
            }
            _summary.PingsReceived++;
            tally.PingsReceived++;
            lastPing = arrival;
            if (first is null)
            {
                first = arrival;
                _firstPing.Add(StopwatchTime.ToMs(arrival - firstHeartbeat));
            }
            if (arrival <= aliveUntil)
            {
                if (previous is { } before) gap = Math.Max(gap, CountInterval(arrival - before, arrival, tally));
                previous = arrival;
            }
        }

        if (first is null)
        {
            NoteWithoutPings(client, tally);
            return;
        }
        if (previous is { } lastAlive)
        {
            // The silence from the last ping to the end of the client's life: pings that stopped
            // for good never show up as an interval, only here.
            long trailing = aliveUntil - lastAlive;
            gap = Math.Max(gap, trailing);
            if (trailing > GraceTicks)
            {
                _summary.ClientsEndedEarly.Add($"{client.Description}: last ping {StopwatchTime.ToMs(trailing):F0} ms before {(deadline is null ? "the end of the run" : "its deadline")}");
            }
        }
        if (gap > GraceTicks)
        {
            tally.ClientsWithMissedPings++;
            _summary.ClientsWithMissedPings.Add($"{client.Description}: {StopwatchTime.ToMs(gap):F0} ms without a ping");
        }
        if (gap > _longestGap)
        {
            _longestGap = gap;
            _summary.LongestGapClient = client.Description;
        }
        if (deadline is { } due && lastPing is { } last) NoteLastPing(client, last - due);
    }

    private long CountInterval(long interval, long end, TargetSummary tally)
    {
        double ms = StopwatchTime.ToMs(interval);
        _intervals.Add(ms);
        tally.Intervals++;
        if (Tolerances.IsOnTime(ms))
        {
            _summary.IntervalsWithinTolerance++;
            tally.IntervalsWithinTolerance++;
        }
        else
        {
            _summary.OffToleranceBySecond[(int)Math.Clamp((end - window.Start) / Stopwatch.Frequency, 0, _summary.OffToleranceBySecond.Length - 1)]++;
        }
        return interval;
    }

    /// <summary>A stopped client's last ping, relative to its deadline: negative if it came before.</summary>
    private void NoteLastPing(SimulatedClient client, long offset)
    {
        _lastPingOffsetMin = Math.Min(_lastPingOffsetMin ?? long.MaxValue, offset);
        _lastPingOffsetMax = Math.Max(_lastPingOffsetMax ?? long.MinValue, offset);
        if (offset <= GraceTicks) return;
        _summary.StoppedClientsPingedLate.Add($"{client.Description}: ping {StopwatchTime.ToMs(offset):F0} ms after its deadline");
    }

    /// <summary>
    /// Wrong datagrams count against the service only once the client has sent something: before
    /// that they are leftovers addressed to an earlier owner of the same port.
    /// </summary>
    private void CountMisdirected(SimulatedClient client, long firstHeartbeat)
    {
        _summary.DatagramsBeforeFirstHeartbeat += client.WrongSource.CountBefore(firstHeartbeat) + client.WrongBytes.CountBefore(firstHeartbeat);
        _summary.WrongSource.Count += client.WrongSource.CountBetween(firstHeartbeat, window.End);
        _summary.WrongBytes.Count += client.WrongBytes.CountBetween(firstHeartbeat, window.End);
        if (client.WrongSource.FirstDescribedFrom(firstHeartbeat) is { } source) _summary.WrongSource.Describe($"{client.Description}: {source}");
        if (client.WrongBytes.FirstDescribedFrom(firstHeartbeat) is { } bytes) _summary.WrongBytes.Describe($"{client.Description}: {bytes}");
    }

    private void NoteWithoutPings(SimulatedClient client, TargetSummary tally)
    {
        tally.ClientsWithoutPings++;
        _summary.ClientsWithoutPings.Add(client.Description);
    }
}
