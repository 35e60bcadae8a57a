namespace TixTrigger.Gateway.Pinging;

/// <summary>What the mirror made of a heartbeat.</summary>
internal enum Admission
{
    Added,
    Refreshed,

    /// <summary>Refreshed, within a second of the last forwarded heartbeat: not forwarded again.</summary>
    Coalesced,
    OverIpLimit,
    OverCapacity,
}
