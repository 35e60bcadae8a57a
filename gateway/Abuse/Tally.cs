namespace TixTrigger.Gateway.Abuse;

/// <summary>How many clients each key (a source address, a prefix) has; keys with none are not kept.</summary>
internal sealed class Tally<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, int> _counts = [];

    public int this[TKey key] => _counts.GetValueOrDefault(key);

    public void Increment(TKey key) => _counts[key] = _counts.GetValueOrDefault(key) + 1;

    public void Decrement(TKey key)
    {
        int left = _counts.GetValueOrDefault(key) - 1;
        if (left <= 0) _counts.Remove(key);
        else _counts[key] = left;
    }
}
