using System.Diagnostics.Metrics;

namespace TixTrigger.Gateway;

/// <summary>
/// A gateway's counters. The hot paths only increment fields; the <see cref="Meter"/> reads
/// them when a listener (an exporter, <c>dotnet-counters</c>) asks, so counting costs no allocation.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "TixTrigger.Gateway";

    private readonly Meter _meter;
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    private long _heartbeats;
    private long _pingsSent;
    private long _pingsFailed;
    private long _forwardFailures;
    private long _receiveErrors;
    private long _lateSlots;
    private long _skippedSeconds;
    private long _coalesced;
    private long _receiveOverflows;
    private long _staleSignupsReplaced;
    private readonly Histogram<double> _slotLateness;

    public GatewayMetrics(string gatewayId, Func<int> clients)
    {
        _meter = new Meter(MeterName, null, [new("gateway", gatewayId)]);
        _meter.CreateObservableGauge("tixtrigger.gateway.clients", clients, description: "Clients this gateway pings");
        _meter.CreateObservableCounter("tixtrigger.gateway.heartbeats", () => Heartbeats, description: "Heartbeats accepted");
        _meter.CreateObservableCounter("tixtrigger.gateway.pings", () => PingsSent, description: "Pings sent");
        _meter.CreateObservableCounter("tixtrigger.gateway.ping_failures", () => PingsFailed, description: "Pings the kernel refused");
        _meter.CreateObservableCounter("tixtrigger.gateway.forward_failures", () => ForwardFailures, description: "Heartbeats the cluster did not take");
        _meter.CreateObservableCounter("tixtrigger.gateway.late_slots", () => LateSlots, description: "Ping slots sent more than 20 ms late");
        _meter.CreateObservableCounter("tixtrigger.gateway.drops", ObserveDrops, description: "Datagrams dropped, by reason");
        _meter.CreateObservableCounter("tixtrigger.gateway.coalesced_heartbeats", () => Coalesced, description: "Heartbeats within a second of the client's last one, not forwarded");
        _meter.CreateObservableCounter("tixtrigger.gateway.receive_errors", () => ReceiveErrors, description: "Receives that failed");
        _meter.CreateObservableCounter("tixtrigger.gateway.receive_overflows", () => ReceiveOverflows, description: "Datagrams the kernel dropped for want of receive buffer");
        _slotLateness = _meter.CreateHistogram<double>("tixtrigger.gateway.ping_lateness", "s", "How late each 10 ms ping slot was sent against its due time");
        _meter.CreateObservableCounter("tixtrigger.gateway.skipped_seconds", () => SkippedSeconds, description: "Times the sender stalled over a second and skipped ahead");
        _meter.CreateObservableCounter("tixtrigger.gateway.stale_signups_replaced", () => StaleSignupsReplaced, description: "One-datagram clients a full gateway dropped to make room for a new one");
    }

    public long Heartbeats => Volatile.Read(ref _heartbeats);
    public long PingsSent => Volatile.Read(ref _pingsSent);
    public long PingsFailed => Volatile.Read(ref _pingsFailed);
    public long ForwardFailures => Volatile.Read(ref _forwardFailures);
    public long ReceiveErrors => Volatile.Read(ref _receiveErrors);
    public long LateSlots => Volatile.Read(ref _lateSlots);
    public long SkippedSeconds => Volatile.Read(ref _skippedSeconds);
    public long Coalesced => Volatile.Read(ref _coalesced);
    public long ReceiveOverflows => Volatile.Read(ref _receiveOverflows);
    public long StaleSignupsReplaced => Volatile.Read(ref _staleSignupsReplaced);

    public long Dropped(DropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    internal void CountHeartbeat() => Interlocked.Increment(ref _heartbeats);
    internal void CountDrop(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);
    internal void CountForwardFailure() => Interlocked.Increment(ref _forwardFailures);
    internal void CountReceiveError() => Interlocked.Increment(ref _receiveErrors);
    internal void CountSkippedSecond() => Interlocked.Increment(ref _skippedSeconds);
    internal void CountCoalesced() => Interlocked.Increment(ref _coalesced);
    internal void CountReceiveOverflows(long dropped) => Interlocked.Add(ref _receiveOverflows, dropped);
    internal void CountStaleSignupReplaced() => Interlocked.Increment(ref _staleSignupsReplaced);
    internal void RecordSlotLateness(double seconds) => _slotLateness.Record(seconds);

    internal void CountSlot(int sent, int failed, bool late)
    {
        if (sent > 0) Interlocked.Add(ref _pingsSent, sent);
        if (failed > 0) Interlocked.Add(ref _pingsFailed, failed);
        if (late) Interlocked.Increment(ref _lateSlots);
    }

    private IEnumerable<Measurement<long>> ObserveDrops()
    {
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            yield return new Measurement<long>(Dropped(reason), new KeyValuePair<string, object?>("reason", reason.ToString()));
        }
    }

    public void Dispose() => _meter.Dispose();
}
