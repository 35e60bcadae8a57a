namespace TixTrigger.Silo.Telemetry;

/// <summary>One shard activation's counters. Written by the grain (one thread at a time), read by the meter.</summary>
public sealed class ShardCounters(string gatewayId, int index, Func<int> members) : IDisposable
{
    private long _ticks;
    private long _snapshots;
    private long _refills;

    public string GatewayId { get; } = gatewayId;

    internal KeyValuePair<string, object?>[] Tags { get; } = [new("gateway", gatewayId), new("shard", index.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    internal Action? OnDispose { get; set; }

    public long Members => members();
    public long Ticks => Volatile.Read(ref _ticks);
    public long Snapshots => Volatile.Read(ref _snapshots);
    public long Refills => Volatile.Read(ref _refills);

    public void CountTick() => Interlocked.Increment(ref _ticks);

    public void CountSnapshot() => Interlocked.Increment(ref _snapshots);

    public void CountRefill() => Interlocked.Increment(ref _refills);

    /// <summary>The activation ended: its series leave this silo's metrics.</summary>
    public void Dispose() => OnDispose?.Invoke();
}
