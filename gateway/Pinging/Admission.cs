namespace TixTrigger.Gateway.Pinging;

/// <summary>What the mirror made of a heartbeat.</summary>
internal enum Admission
{
    Added,
    Refreshed,
    OverIpLimit,
    OverCapacity,
}
