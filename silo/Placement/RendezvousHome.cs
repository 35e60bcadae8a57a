using System.IO.Hashing;
using System.Text;

namespace TixTrigger.Silo.Placement;

/// <summary>
/// Rendezvous (highest random weight) hashing: every silo scores every grain, the highest score
/// wins. Adding a silo moves only the grains it now wins (about 1/N of them); removing one moves
/// only the grains it held. Every silo computes the same answer from the same membership.
/// </summary>
public static class RendezvousHome
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

    /// <summary>
    /// The silos a grain may live on: the active members (a stopping silo is no longer one). The
    /// grains and the placement director both ask this, so a grain that decides to move and the
    /// director that places it agree on where.
    /// </summary>
    public static IEnumerable<SiloAddress> Candidates(IClusterMembershipService membership) =>
        membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .Select(member => member.SiloAddress);
}
