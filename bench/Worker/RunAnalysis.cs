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
    private readonly long[] _offTimeBySecond = new long[(int)Math.Ceiling(StopwatchTime.ToMs(window.End - window.Start) / 1000) + 1];
    private readonly List<string> _wrongSourceExamples = [];
    private readonly List<string> _wrongBytesExamples = [];
    private readonly List<string> _withoutPingsExamples = [];
    private readonly List<string> _endedEarlyExamples = [];
    private readonly List<string> _pingedLateExamples = [];
    private readonly List<string> _missedExamples = [];
    private readonly TargetSummary[] _byTarget = [.. Enumerable.Range(0, targetCount).Select(_ => new TargetSummary())];
    private long _onTime;
    private long _pings;
    private long _beforeFirstHeartbeat;
    private long _wrongSource;
    private long _wrongBytes;
    private int _withoutPings;
    private int _endedEarly;
    private int _stopped;
    private int _pingedLate;
    private long? _lastPingOffsetMin;
    private long? _lastPingOffsetMax;
    private long _longestGap;
    private string? _longestGapClient;

    public WorkerSummary Summarize(IReadOnlyList<SimulatedClient> clients, HeartbeatSender heartbeats, EpollReceiver receiver, TimeSpan runCpu)
    {
        foreach (var client in clients) Analyze(client);
        return new WorkerSummary
        {
            Clients = clients.Count,
            StoppedClients = _stopped,
            HeartbeatsSent = heartbeats.Sent,
            HeartbeatSendErrors = heartbeats.Errors,
            HeartbeatMaxLatenessMs = StopwatchTime.ToMs(heartbeats.MaxLateness),
            PingsReceived = _pings,
            DatagramsBeforeFirstHeartbeat = _beforeFirstHeartbeat,
            IntervalsWithinTolerance = _onTime,
            OffToleranceBySecond = _offTimeBySecond,
            Intervals = _intervals.ToData(),
            FirstPing = _firstPing.ToData(),
            LongestGapMs = StopwatchTime.ToMs(_longestGap),
            LongestGapClient = _longestGapClient,
            WrongSource = _wrongSource,
            WrongSourceExamples = _wrongSourceExamples,
            WrongBytes = _wrongBytes,
            WrongBytesExamples = _wrongBytesExamples,
            ClientsWithoutPings = _withoutPings,
            ClientsWithoutPingsExamples = _withoutPingsExamples,
            ClientsEndedEarly = _endedEarly,
            ClientsEndedEarlyExamples = _endedEarlyExamples,
            StoppedLastPingVsDeadlineMinMs = _lastPingOffsetMin is { } earliest ? StopwatchTime.ToMs(earliest) : null,
            StoppedLastPingVsDeadlineMaxMs = _lastPingOffsetMax is { } latest ? StopwatchTime.ToMs(latest) : null,
            StoppedClientsPingedLate = _pingedLate,
            PingedLateExamples = _pingedLateExamples,
            ClientsWithMissedPings = _byTarget.Sum(target => target.ClientsWithMissedPings),
            MissedPingsExamples = _missedExamples,
            ByTarget = _byTarget,
            ReadDelay = receiver.ReadDelay.ToData(),
            Unstamped = receiver.Unstamped,
            SocketDrops = clients.Sum(client => client.Dropped),
            ClockDriftMs = receiver.ClockDriftMs,
            CpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            RunCpuSeconds = runCpu.TotalSeconds,
            GarbageCollections = GC.CollectionCount(0),
        };
    }

    private void Analyze(SimulatedClient client)
    {
        var tally = _byTarget[client.Spec.TargetIndex];
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
        if (deadline is not null) _stopped++;
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
                _beforeFirstHeartbeat++;
                continue;
            }
            _pings++;
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
                _endedEarly++;
                Examples.Add(_endedEarlyExamples, $"{client.Description}: last ping {StopwatchTime.ToMs(trailing):F0} ms before {(deadline is null ? "the end of the run" : "its deadline")}");
            }
        }
        if (gap > GraceTicks)
        {
            tally.ClientsWithMissedPings++;
            Examples.Add(_missedExamples, $"{client.Description}: {StopwatchTime.ToMs(gap):F0} ms without a ping");
        }
        if (gap > _longestGap)
        {
            _longestGap = gap;
            _longestGapClient = client.Description;
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
            _onTime++;
            tally.IntervalsWithinTolerance++;
        }
        else
        {
            _offTimeBySecond[(int)Math.Clamp((end - window.Start) / Stopwatch.Frequency, 0, _offTimeBySecond.Length - 1)]++;
        }
        return interval;
    }

    /// <summary>A stopped client's last ping, relative to its deadline: negative if it came before.</summary>
    private void NoteLastPing(SimulatedClient client, long offset)
    {
        _lastPingOffsetMin = Math.Min(_lastPingOffsetMin ?? long.MaxValue, offset);
        _lastPingOffsetMax = Math.Max(_lastPingOffsetMax ?? long.MinValue, offset);
        if (offset <= GraceTicks) return;
        _pingedLate++;
        Examples.Add(_pingedLateExamples, $"{client.Description}: ping {StopwatchTime.ToMs(offset):F0} ms after its deadline");
    }

    /// <summary>
    /// Wrong datagrams count against the service only once the client has sent something: before
    /// that they are leftovers addressed to an earlier owner of the same port.
    /// </summary>
    private void CountMisdirected(SimulatedClient client, long firstHeartbeat)
    {
        _beforeFirstHeartbeat += client.WrongSource.CountBefore(firstHeartbeat) + client.WrongBytes.CountBefore(firstHeartbeat);
        _wrongSource += client.WrongSource.CountBetween(firstHeartbeat, window.End);
        _wrongBytes += client.WrongBytes.CountBetween(firstHeartbeat, window.End);
        if (client.WrongSource.FirstDescribedFrom(firstHeartbeat) is { } source) Examples.Add(_wrongSourceExamples, $"{client.Description}: {source}");
        if (client.WrongBytes.FirstDescribedFrom(firstHeartbeat) is { } bytes) Examples.Add(_wrongBytesExamples, $"{client.Description}: {bytes}");
    }

    private void NoteWithoutPings(SimulatedClient client, TargetSummary tally)
    {
        _withoutPings++;
        tally.ClientsWithoutPings++;
        Examples.Add(_withoutPingsExamples, client.Description);
    }
}
