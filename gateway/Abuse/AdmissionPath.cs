namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// Which way a new member comes: a heartbeat is rate-limited; the cluster's record of clients
/// registered before is not, nor a gateway's own snapshot or its predecessor's clients (they passed
/// the rates when they signed up). The caps and the per-network budget hold for every path.
/// </summary>
internal enum AdmissionPath
{
    Heartbeat,
    Cluster,
    Restore,
}
