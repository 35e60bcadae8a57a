using System.Net;

namespace TixTrigger.Endpoints;

/// <summary>
/// The address and port a client's heartbeats come from: the identity of a client. Two ports of
/// one IP are two clients. A compact value (no heap object), so a gateway can hold millions.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.client-endpoint")]
public readonly record struct ClientEndpoint([property: Id(0)] PackedAddress Address, [property: Id(1)] ushort Port)
{
    public static ClientEndpoint From(IPEndPoint endpoint) =>
        new(PackedAddress.From(endpoint.Address), (ushort)endpoint.Port);

    /// <summary>The same in every process, for placement only (see <see cref="PackedAddress.StableHash"/>).</summary>
    public ulong StableHash() => PackedAddress.Mix(Address.StableHash() ^ Port);

    /// <summary>Keyed per process, so that the sources a client forges cannot be chosen to collide in a dictionary.</summary>
    public override int GetHashCode() => KeyedHash.Of(Address.High, Address.Low, Port);

    /// <summary>The shard of a gateway's <paramref name="shardCount"/> that this client belongs to.</summary>
    public int ShardOf(int shardCount) => (int)(StableHash() % (ulong)shardCount);

    public override string ToString() =>
        Address.IsIPv4 ? $"{Address}:{Port}" : $"[{Address}]:{Port}";
}
