using TixTrigger.Messages;
using TixTrigger.Protocol;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// One live process per GATEWAY_ID, as each of its shard grains sees it. A process is accepted when
/// the id has no holder, when it is the holder, when it carries a later claim epoch than the holder
/// (granted after the holder's), when it is a new process listening where the holder listened (a
/// restart or a hand-over in place), or when the holder has been silent for its lease (a crash
/// elsewhere, <see cref="ClusterTiming.GatewayLeaseMs"/>). Anything else is a second process: refused, so
/// it never steals the holder's ticks. Shard 0 grants claim epochs: above every epoch it has
/// granted or seen among its members' claims.
/// </summary>
internal sealed class GatewayFence
{
    private GatewayProcess? _holder;
    private long _holderSeenMs;
    private long _lastGranted;

    public GatewayProcess? Holder => _holder;

    /// <summary>The highest epoch granted here: a grain carries it when it moves to another silo.</summary>
    public long LastGranted => _lastGranted;

    /// <summary>
    /// Judges an attach. Returns the holder that refuses it, or null when accepted; then
    /// <paramref name="epoch"/> is the claim epoch the process holds the id under (granted now when
    /// <paramref name="grants"/> and it had none).
    /// </summary>
    public GatewayHolder? Attach(GatewayProcess process, long nowMs, bool grants, long highestMemberEpoch, out long epoch)
    {
        epoch = process.ClaimEpoch;
        if (_holder is { } holder && !Accepts(holder, process, nowMs))
        {
            return new GatewayHolder(holder.Endpoint, (int)(nowMs - _holderSeenMs));
        }
        if (grants && epoch == 0) epoch = Math.Max(_lastGranted, highestMemberEpoch) + 1;
        _lastGranted = Math.Max(_lastGranted, epoch);
        _holder = process with { ClaimEpoch = epoch };
        _holderSeenMs = nowMs;
        return null;
    }

    private bool Accepts(GatewayProcess holder, GatewayProcess process, long nowMs) =>
        holder.Instance == process.Instance
        || process.ClaimEpoch > holder.ClaimEpoch
        || (process.ClaimEpoch == 0 && process.Endpoint == holder.Endpoint)
        || nowMs - _holderSeenMs >= ClusterTiming.GatewayLeaseMs;

    /// <summary>State carried over from another silo: the holder stays the holder.</summary>
    public void Restore(GatewayProcess? holder, long silentForMs, long lastGranted, long nowMs)
    {
        _holder = holder;
        _holderSeenMs = nowMs - silentForMs;
        _lastGranted = lastGranted;
    }
}
