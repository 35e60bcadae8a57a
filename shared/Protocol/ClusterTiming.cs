namespace TixTrigger.Protocol;

/// <summary>
/// The cluster's timing: what silos and gateways must agree on, and what an operator asks about
/// ("how long does a shard wait for its gateway"). Local tuning (backoffs, batch sizes) stays where it is used.
/// </summary>
public static class ClusterTiming
{
    /// <summary>How often a gateway attaches to its shards, announces itself to the registry and asks its client partitions' epochs.</summary>
    public static readonly TimeSpan AnnounceInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A gateway silent this long is gone: its shards stop ticking it (and deactivate once empty), the
    /// registry forgets where it listens and stops showing its report. Seven missed announcements, so a stall is not a death.
    /// </summary>
    public const long GatewayGoneAfterMs = 15_000;

    /// <summary>How long a silent process keeps its GATEWAY_ID against a new one elsewhere: three announcements (a crash).</summary>
    public const long GatewayLeaseMs = 6_000;

    /// <summary>How often a shard expires members and sends its gateway what it removed.</summary>
    public static readonly TimeSpan ShardTickInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often a gateway sends its new clients to the cluster: a crash loses at most this much of sign-ups.</summary>
    public static readonly TimeSpan ClaimBatchInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How often a gateway sends the shards the deadlines that would otherwise lag too far.</summary>
    public const long RefreshBatchIntervalMs = 1_000;

    /// <summary>
    /// How far a shard's copy of a deadline may lag the gateway's before a refresh is due: a quarter of
    /// the expiry, 1 to 30 s, so most heartbeats never reach the cluster. The gateway tells its shards.
    /// </summary>
    public static long RefreshLagMs(int expirySeconds) => Math.Clamp(expirySeconds * 1000L / 4, 1_000, MaxRefreshLagMs);

    /// <summary>The longest refresh lag: what a shard assumes until its gateway has said its own.</summary>
    public const long MaxRefreshLagMs = 30_000;

    /// <summary>A shard expires a member this long after the refresh lag too: time for the refresh batch to arrive.</summary>
    public const long ShardExpiryMarginMs = 5_000;

    /// <summary>How long a shard remembers a move: a join or refill of the same claim that arrives later must not undo it.</summary>
    public const long DepartedKeepMs = 60_000;

    /// <summary>How often a shard or client partition checks that it is on its rendezvous home silo.</summary>
    public static readonly TimeSpan HomeCheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>How often a gateway reports every network it has clients in to the budget grains, changed or not.</summary>
    public const long PrefixFullReportIntervalMs = 20_000;

    /// <summary>A budget grain forgets a gateway's count not reported this long: two lost full reports do not make it forget a live gateway.</summary>
    public const long PrefixCountForgetMs = 3 * PrefixFullReportIntervalMs;
}
