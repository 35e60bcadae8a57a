namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// What a full gateway may drop to make room for a new client: a stale sign-up, an entry not heard
/// from for half the expiry, when any app would have heartbeated again (the original README's client
/// heartbeats every third of the expiry, the Android app every 5 s). Every source of a flood of
/// forged datagrams becomes one half an expiry after its last datagram, however many it sent. An
/// echo is never dropped this way: it must linger, so that its answers do not register it anew.
/// </summary>
internal static class StaleSignups
{
    /// <summary>How many entries of a shard a new client's admission looks at for one to replace: bounded work per datagram under a flood.</summary>
    public const int Samples = 8;

    public static bool IsStale(in DatagramCadence cadence, long nowMs, long expiryMs) =>
        !cadence.IsEcho && nowMs - cadence.LastHeardMs >= expiryMs / 2;
}
