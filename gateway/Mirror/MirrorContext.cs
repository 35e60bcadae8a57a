using TixTrigger.Gateway.Abuse;

namespace TixTrigger.Gateway.Mirror;

/// <summary>What every shard of the mirror shares: the expiry and refresh lag, admission, the echo rule's numbers, recent refusals, claim ids, the sender's progress and whether any entry exists.</summary>
internal sealed class MirrorContext(int expirySeconds, AdmissionControl admission, Func<int, int, int>? secret = null)
{
    public long ExpiryMs { get; } = expirySeconds * 1000L;

    /// <summary>How far a shard's copy of a deadline may fall behind this gateway's before a batched refresh is due.</summary>
    public long RefreshLagMs { get; } = Protocol.ClusterTiming.RefreshLagMs(expirySeconds);

    public AdmissionControl Admission { get; } = admission;

    /// <summary>Sources refused lately, for the status page's lookup of one phone.</summary>
    public Status.RecentRefusals Refusals { get; } = new();

    public EchoRule EchoRule { get; } = EchoRule.For(expirySeconds, secret);

    public ClaimIds ClaimIds { get; } = new();

    public SenderProgress Sender { get; } = new();

    public MirrorOccupancy Occupancy { get; } = new();
}
