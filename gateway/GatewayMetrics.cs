using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TixTrigger.Gateway;

/// <summary>
/// A gateway's counters. The hot paths only increment fields; the <see cref="Meter"/> reads
/// them when a listener (an exporter, <c>dotnet-counters</c>) asks, so counting costs no allocation.
/// Instrument names are chosen for their Prometheus form: <c>tixtrigger.pings_sent</c>, a counter,
/// is exported as <c>tixtrigger_pings_sent_total</c>; every series carries the <c>gateway</c> label.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "TixTrigger.Gateway";

    /// <summary>A slot sent this late against its due time counts as late.</summary>
    public const double LateSeconds = 0.020;

    // Around the 10 ms slot and the 20 ms "late" line, then up to the sender's one-second skip.
    private static readonly double[] LatenessBuckets = [0.001, 0.002, 0.005, 0.010, 0.020, 0.050, 0.100, 0.250, 0.500, 1.0];

    private readonly Meter _meter;
    private readonly KeyValuePair<string, object?> _gatewayTag;
    private readonly KeyValuePair<string, object?>[] _gatewayTags;
    private readonly Histogram<double> _lateness;
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    private long _heartbeats;
    private long _pingsSent;
    private long _pingsFailed;
    private long _latePings;
    private long _registrationFailures;
    private long _receiveErrors;
    private long _receiveOverflows;
    private long _lateSlots;
    private long _skippedSeconds;
    private long _staleSignupsReplaced;
    private long _lastSlotTimestamp = Stopwatch.GetTimestamp();
    private long _lastReceiveTimestamp = Stopwatch.GetTimestamp();
    private volatile bool _senderAsleep;

    /// <param name="claimsQueued">
    /// New clients whose claim waits to leave for the cluster: it grows while the cluster is away (or
    /// its shards not yet synced), bounded by the clients; none where there is no mirror.
    /// </param>
    public GatewayMetrics(string gatewayId, Func<int> clients, Func<int>? claimsQueued = null)
    {
        GatewayId = gatewayId;
        _gatewayTag = new("gateway", gatewayId);
        _gatewayTags = [_gatewayTag];
        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge("tixtrigger.clients", () => new Measurement<int>(clients(), _gatewayTags), description: "Clients this gateway pings");
        if (claimsQueued is not null)
        {
            _meter.CreateObservableGauge("tixtrigger.claims_queued", () => new Measurement<int>(claimsQueued(), _gatewayTags), description: "New clients whose claim waits to leave for the cluster");
        }
        Counter("tixtrigger.heartbeats", () => Heartbeats, "Heartbeats accepted");
        Counter("tixtrigger.pings_sent", () => PingsSent, "Pings sent");
        Counter("tixtrigger.ping_send_errors", () => PingsFailed, "Pings the kernel refused");
        Counter("tixtrigger.late_pings", () => LatePings, $"Pings sent in a slot more than {LateSeconds * 1000:F0} ms late");
        Counter("tixtrigger.late_slots", () => LateSlots, $"Ping slots sent more than {LateSeconds * 1000:F0} ms late");
        Counter("tixtrigger.skipped_seconds", () => SkippedSeconds, "Times the sender stalled over a second and skipped ahead");
        Counter("tixtrigger.registration_failures", () => RegistrationFailures, "Batches of registrations or refreshes the cluster did not take (retried)");
        Counter("tixtrigger.receive_errors", () => ReceiveErrors, "Receives that failed");
        Counter("tixtrigger.receive_overflows", () => ReceiveOverflows, "Datagrams the kernel dropped because the receive queue was full");
        Counter("tixtrigger.stale_signups_replaced", () => StaleSignupsReplaced, "One-datagram clients a full gateway dropped to make room for a new one");
        _meter.CreateObservableCounter("tixtrigger.drops", ObserveDrops, description: "Datagrams dropped, by reason");
        _lateness = _meter.CreateHistogram("tixtrigger.ping_lateness", "s", "How late each 10 ms ping slot is sent against its due time",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatenessBuckets });
    }

    public string GatewayId { get; }

    public long Heartbeats => Volatile.Read(ref _heartbeats);
    public long PingsSent => Volatile.Read(ref _pingsSent);
    public long PingsFailed => Volatile.Read(ref _pingsFailed);
    public long LatePings => Volatile.Read(ref _latePings);
    public long RegistrationFailures => Volatile.Read(ref _registrationFailures);
    public long ReceiveErrors => Volatile.Read(ref _receiveErrors);
    public long ReceiveOverflows => Volatile.Read(ref _receiveOverflows);
    public long LateSlots => Volatile.Read(ref _lateSlots);
    public long SkippedSeconds => Volatile.Read(ref _skippedSeconds);
    public long StaleSignupsReplaced => Volatile.Read(ref _staleSignupsReplaced);

    /// <summary>How long ago the sender last finished a slot (or skipped ahead): its loop is alive while this stays small; zero while it sleeps on an empty mirror.</summary>
    public TimeSpan SinceLastSlot => _senderAsleep ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSlotTimestamp));

    /// <summary>How long ago the receiving loop last came round (it waits at most 200 ms for datagrams).</summary>
    public TimeSpan SinceLastReceive => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReceiveTimestamp));

    public long Dropped(DropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    internal void MarkReceiving() => Volatile.Write(ref _lastReceiveTimestamp, Stopwatch.GetTimestamp());

    internal void CountHeartbeat() => Interlocked.Increment(ref _heartbeats);
    internal void CountDrop(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);
    internal void CountRegistrationFailure() => Interlocked.Increment(ref _registrationFailures);
    internal void CountReceiveError() => Interlocked.Increment(ref _receiveErrors);
    internal void CountStaleSignupReplaced() => Interlocked.Increment(ref _staleSignupsReplaced);

    /// <summary>Datagrams the kernel dropped for a full receive queue (SO_RXQ_OVFL), as reported with a received datagram.</summary>
    internal void CountReceiveOverflows(long dropped)
    {
        if (dropped > 0) Interlocked.Add(ref _receiveOverflows, dropped);
    }

    /// <summary>The sender sleeps while no client exists (or woke): liveness must not take that sleep for a stuck loop.</summary>
    internal void SenderSleeps(bool asleep)
    {
        Volatile.Write(ref _lastSlotTimestamp, Stopwatch.GetTimestamp());
        _senderAsleep = asleep;
    }

    internal void CountSkippedSecond()
    {
        Interlocked.Increment(ref _skippedSeconds);
        Volatile.Write(ref _lastSlotTimestamp, Stopwatch.GetTimestamp());
    }

    internal void CountSlot(int sent, int failed, bool late)
    {
        if (sent > 0) Interlocked.Add(ref _pingsSent, sent);
        if (failed > 0) Interlocked.Add(ref _pingsFailed, failed);
        if (late)
        {
            Interlocked.Increment(ref _lateSlots);
            if (sent > 0) Interlocked.Add(ref _latePings, sent);
        }
        Volatile.Write(ref _lastSlotTimestamp, Stopwatch.GetTimestamp());
    }

    /// <summary>One value per 10 ms slot: how late it was sent. The tag is a preallocated pair, so recording allocates nothing.</summary>
    internal void RecordSlotLateness(double seconds) => _lateness.Record(Math.Max(0, seconds), _gatewayTag);

    private void Counter(string name, Func<long> read, string description) =>
        _meter.CreateObservableCounter(name, () => new Measurement<long>(read(), _gatewayTags), description: description);

    private IEnumerable<Measurement<long>> ObserveDrops()
    {
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            yield return new Measurement<long>(Dropped(reason), _gatewayTag, new KeyValuePair<string, object?>("reason", reason.ToString()));
        }
    }

    public void Dispose() => _meter.Dispose();
}
