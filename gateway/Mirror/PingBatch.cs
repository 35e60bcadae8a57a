using TixTrigger.Gateway.Udp;

namespace TixTrigger.Gateway.Mirror;

/// <summary>The sender's reusable list of one slot's pings: grows to the largest slot, then never allocates.</summary>
internal sealed class PingBatch
{
    private PingTarget[] _items = new PingTarget[256];

    public int Count { get; private set; }

    public ReadOnlySpan<PingTarget> Items => _items.AsSpan(0, Count);

    public void Clear() => Count = 0;

    public void Add(in PingTarget target)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = target;
    }
}
