namespace TixTrigger.Gateway;

/// <summary>Why a datagram did not register or refresh a client.</summary>
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
}
