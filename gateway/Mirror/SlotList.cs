namespace TixTrigger.Gateway.Mirror;

/// <summary>The mirror entries pinged in one slot of the second; removal swaps in the last entry.</summary>
internal sealed class SlotList
{
    private int[] _items = new int[16];

    public int Count { get; private set; }

    public int this[int position] => _items[position];

    /// <summary>Adds an entry index; returns its position.</summary>
    public int Add(int entry)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count] = entry;
        return Count++;
    }

    /// <summary>Removes the entry at <paramref name="position"/>; returns the entry index moved into it, or -1.</summary>
    public int RemoveAt(int position)
    {
        int last = --Count;
        if (position == last) return -1;
        _items[position] = _items[last];
        return _items[position];
    }
}
