using TixTrigger.Gateway.Mirror;

namespace TixTrigger.Gateway.State;

/// <summary>A gateway's clients at one moment, with the phase of its sender.</summary>
internal sealed class GatewayImage
{
    public SavedClient[] Clients { get; init; } = [];

    /// <summary>The first <see cref="Count"/> of <see cref="Clients"/> are the clients.</summary>
    public int Count { get; init; }

    /// <summary>When it was taken, in milliseconds since the Unix epoch.</summary>
    public long TakenAtUnixMs { get; init; }

    /// <summary>
    /// The <see cref="System.Diagnostics.Stopwatch"/> timestamp of the sender's slot 0 (CLOCK_MONOTONIC,
    /// shared by processes of one boot): a successor on the same host pings each slot at the same phase.
    /// </summary>
    public long PingOriginTimestamp { get; init; }

    public ReadOnlySpan<SavedClient> Span => Clients.AsSpan(0, Count);
}
