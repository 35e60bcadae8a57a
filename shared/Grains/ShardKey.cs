namespace TixTrigger.Grains;

/// <summary>The key of a <see cref="IPingShardGrain"/>: <c>{gatewayId}/{index}</c>.</summary>
public static class ShardKey
{
    public static string Format(string gatewayId, int index) => $"{gatewayId}/{index}";

    public static (string GatewayId, int Index) Parse(string key)
    {
        int slash = key.LastIndexOf('/');
        if (slash <= 0 || !int.TryParse(key.AsSpan(slash + 1), out int index))
        {
            throw new ArgumentException($"'{key}' is not a shard key of the form gatewayId/index.", nameof(key));
        }
        return (key[..slash], index);
    }
}
