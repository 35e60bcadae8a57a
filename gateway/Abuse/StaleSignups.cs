namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// What a full gateway may drop to make room for a new client: a stale sign-up, an entry that has
/// sent one datagram only, so long ago that an app would have heartbeated again (the original
/// README's client heartbeats every third of the expiry, the Android app every 5 s). Every source
/// of a flood of forged datagrams is one, so such a flood holds the gateway full for half the
/// expiry, not all of it. A client that heartbeated twice is never dropped this way, nor an echo
/// (it must linger), nor a client resumed from the cluster.
/// </summary>
internal static class StaleSignups
{
    /// <summary>How many entries of a shard a new client's admission looks at for one to replace: bounded work per datagram under a flood.</summary>
    public const int Samples = 8;

    /// <summary><paramref name="deadlineMs"/> of a one-datagram entry is its datagram's arrival plus the expiry.</summary>
    public static bool IsStale(in DatagramCadence cadence, long deadlineMs, long nowMs, long expiryMs) =>
        cadence.IsOneShot && !cadence.IsEcho && deadlineMs - nowMs <= expiryMs / 2;
}
