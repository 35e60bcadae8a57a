using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TixTrigger.Time;

namespace TixTrigger.Silo.Placement;

/// <summary>
/// Keeps the service's stateful grains (shards, client partitions) on their rendezvous home, with
/// their state: each asks now and then whether the active silos have changed its home and, if so,
/// migrates there; and when its silo stops gracefully, it migrates rather than die with the process
/// (Orleans would deactivate it and lose what it holds).
/// </summary>
public sealed partial class HomeKeeper(IClusterMembershipService membership, ILocalSiloDetails localSilo, ILogger<HomeKeeper> logger)
{
    /// <summary>
    /// How long a silo must have been seen active before grains move to it. A silo is an active
    /// member a moment before it has finished starting; a grain that migrates to it then may arrive
    /// without its state (a shard its gateway must refill).
    /// </summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<SiloAddress, long> _firstSeenActiveMs = new();

    /// <summary>True if <paramref name="grain"/>'s home is another silo now; it should then call <c>MigrateOnIdle</c>.</summary>
    public bool IsAway(Grain grain)
    {
        var home = RendezvousHome.Of(grain.GetGrainId(), RendezvousHome.Candidates(membership));
        if (home is null || home.Equals(localSilo.SiloAddress) || !HasSettled(home)) return false;
        LogMovesHome(grain.GetGrainId(), home);
        return true;
    }

    /// <summary>
    /// True if a grain being deactivated for <paramref name="reason"/> should migrate instead: its
    /// silo is stopping and another one is there to take it. (By then this silo is no longer active,
    /// so placement never picks it.)
    /// </summary>
    public bool ShouldHandOff(DeactivationReason reason) =>
        reason.ReasonCode == DeactivationReasonCode.ShuttingDown
        && RendezvousHome.Candidates(membership).Any(silo => !silo.Equals(localSilo.SiloAddress));

    // The grains of this silo ask every second or so between them, so a silo is first seen within about a second of joining.
    private bool HasSettled(SiloAddress silo)
    {
        long now = Monotonic.NowMs();
        long firstSeen = _firstSeenActiveMs.GetOrAdd(silo, now);
        return now - firstSeen >= SettleTime.TotalMilliseconds;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Grain} moves to its home silo {Silo}")]
    private partial void LogMovesHome(GrainId grain, SiloAddress silo);
}
