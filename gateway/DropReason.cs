namespace TixTrigger.Gateway;

/// <summary>
/// Why a datagram did not register or refresh a client: the one list of drop reasons. Metrics (the
/// <c>reason</c> label), the log's summary and the status report read it; a rule refuses with one
/// of these (admission's are in <c>Abuse/AdmissionControl.cs</c>). A new reason is a member here, its rule,
/// and its row in docs/ABUSE.md.
/// </summary>
public enum DropReason
{
    /// <summary>Longer than a heartbeat may be (64 bytes).</summary>
    Oversize,

    /// <summary>Unreadable sender or destination.</summary>
    Malformed,

    /// <summary>Its source address already has as many clients as it may.</summary>
    OverIpLimit,

    /// <summary>The gateway already has as many clients as it may.</summary>
    OverCapacity,

    /// <summary>
    /// Its source's /24 (IPv4) or /56 (IPv6) already has, across the cluster's gateways, as many
    /// clients as <c>MAX_PINGS_PER_SECOND_PER_PREFIX</c> allows (one ping a second each): refused at
    /// once, or dropped within ~50 ms when the budget grain finds another gateway took the last places.
    /// </summary>
    OverPrefixBudget,

    /// <summary>New clients from its source's /24 or /56 are arriving faster than allowed.</summary>
    PrefixRateLimited,

    /// <summary>New clients of this gateway are arriving faster than allowed.</summary>
    GatewayRateLimited,

    /// <summary>It comes from a UDP endpoint of a gateway of this cluster (this one included): a ping, not a heartbeat.</summary>
    ClusterGateway,

    /// <summary>It answers our pings (a reflector, an echo service): never a refresh.</summary>
    Echo,

    /// <summary>Another trigger service (or any program) pinging us with our ping's bytes every second: never a refresh.</summary>
    Trigger,
}
