using System.Text.Json.Serialization;

namespace TixTrigger.Bench.Protocol;

/// <summary>One target's figures: counted client by client in a worker, added up across workers, reported per target.</summary>
internal sealed class TargetSummary
{
    /// <summary>The target's address, named for the report; workers know their targets by index.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Target { get; set; }

    public int Clients { get; set; }

    public long PingsReceived { get; set; }

    public long Intervals { get; set; }

    public long IntervalsWithinTolerance { get; set; }

    public double WithinToleranceFraction => Intervals == 0 ? 0 : (double)IntervalsWithinTolerance / Intervals;

    public int ClientsWithMissedPings { get; set; }

    public int ClientsWithoutPings { get; set; }

    public static TargetSummary Sum(IEnumerable<TargetSummary> parts, string? target = null)
    {
        var total = new TargetSummary { Target = target };
        foreach (var part in parts)
        {
            total.Clients += part.Clients;
            total.PingsReceived += part.PingsReceived;
            total.Intervals += part.Intervals;
            total.IntervalsWithinTolerance += part.IntervalsWithinTolerance;
            total.ClientsWithMissedPings += part.ClientsWithMissedPings;
            total.ClientsWithoutPings += part.ClientsWithoutPings;
        }
        return total;
    }
}
