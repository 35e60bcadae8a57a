using System.Text.Json.Serialization;

namespace TixTrigger.Status;

/// <summary>
/// What a gateway tells the status page with each announcement: what it pings, how well, and what it
/// drops; and (<see cref="Lookup"/>) where the status page can ask it about one phone.
/// </summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-report")]
public sealed record GatewayReport(
    [property: Id(0)] string GatewayId,
    [property: Id(1)] string UdpEndpoint,
    [property: Id(2)] int Clients,
    [property: Id(3)] double PingsPerSecond,
    [property: Id(4)] double LateFraction,
    [property: Id(5)] double HeartbeatsPerSecond,
    [property: Id(6)] IReadOnlyDictionary<string, long> Drops,
    [property: Id(7)] long PingSendErrors,
    [property: Id(8)] int SyncedShards,
    [property: Id(9)] int Shards,
    [property: Id(10), JsonIgnore] IGatewayLookup? Lookup = null);

/// <summary>A report as the registry holds it: <see cref="AgeSeconds"/> since it arrived.</summary>
[GenerateSerializer, Immutable, Alias("tix.gateway-report-age")]
public readonly record struct GatewayReportAge(
    [property: Id(0)] GatewayReport Report,
    [property: Id(1)] double AgeSeconds);
