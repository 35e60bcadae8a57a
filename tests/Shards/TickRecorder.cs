using TixTrigger.Grains;
using TixTrigger.Messages;

namespace TixTrigger.Tests.Shards;

/// <summary>Stands in for a gateway to watch exactly what a shard sends it.</summary>
internal sealed class TickRecorder : IGatewayObserver
{
    private readonly List<ShardTick> _ticks = [];

    public IReadOnlyList<ShardTick> Ticks
    {
        get { lock (_ticks) return [.. _ticks]; }
    }

    public void Clear()
    {
        lock (_ticks) _ticks.Clear();
    }

    public Task OnTick(ShardTick tick)
    {
        lock (_ticks) _ticks.Add(tick);
        return Task.CompletedTask;
    }
}
