using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using TixTrigger.Grains;

namespace TixTrigger.Silo.Telemetry;

/// <summary>
/// The shard grains active on this silo, as metrics: members, ticks, snapshots and refills per
/// shard, labelled with the shard's gateway and index. A shard that migrates leaves this silo's
/// series and starts new ones on its new silo, which Prometheus' <c>rate()</c> takes in its stride.
/// </summary>
public sealed class ShardMetrics : IDisposable
{
    public const string MeterName = "TixTrigger.Silo";

    private readonly ConcurrentDictionary<ShardCounters, byte> _shards = new();
    private readonly Meter _meter = new(MeterName);

    public ShardMetrics()
    {
        _meter.CreateObservableGauge("tixtrigger.shard_members", () => Observe(shard => shard.Members), description: "Members of each shard on this silo");
        _meter.CreateObservableCounter("tixtrigger.shard_ticks", () => Observe(shard => shard.Ticks), description: "Ticks each shard sent its gateway");
        _meter.CreateObservableCounter("tixtrigger.shard_snapshots", () => Observe(shard => shard.Snapshots), description: "Snapshots each shard gave its gateway");
        _meter.CreateObservableCounter("tixtrigger.shard_refills", () => Observe(shard => shard.Refills), description: "Times each shard was refilled from its gateway's mirror");
    }

    /// <summary>The counters of a shard grain activation; from a silo without shard metrics, counters nobody reads.</summary>
    public static ShardCounters Track(IServiceProvider services, string shardKey, Func<int> members)
    {
        var (gatewayId, index) = ShardKey.Parse(shardKey);
        var counters = new ShardCounters(gatewayId, index, members);
        if (services.GetService(typeof(ShardMetrics)) is ShardMetrics metrics)
        {
            metrics._shards[counters] = 0;
            counters.OnDispose = () => metrics._shards.TryRemove(counters, out _);
        }
        return counters;
    }

    private IEnumerable<Measurement<long>> Observe(Func<ShardCounters, long> read) =>
        _shards.Keys.Select(shard => new Measurement<long>(read(shard), shard.Tags));

    public void Dispose() => _meter.Dispose();
}
