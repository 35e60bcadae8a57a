using System.IO.Hashing;
using System.Text;

namespace TixTrigger.Silo.Placement;

/// <summary>
/// Rendezvous (highest random weight) hashing: every silo scores every grain, the highest score
/// wins. Adding a silo moves only the grains it now wins (about 1/N of them); removing one moves
/// only the grains it held. Every silo computes the same answer from the same membership.
/// </summary>
public static class ShardHome
{
    public static SiloAddress? Of(GrainId grain, IEnumerable<SiloAddress> silos)
    {
        string key = grain.ToString();
        SiloAddress? best = null;
        ulong bestScore = 0;
        foreach (var silo in silos)
        {
            ulong score = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{key}|{silo.ToParsableString()}"));
            if (best is null || score > bestScore)
            {
                best = silo;
                bestScore = score;
            }
        }
        return best;
    }
}
