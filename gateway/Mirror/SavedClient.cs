using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.State;

/// <summary>
/// One client as a gateway saves it or hands it to its successor: who, from which of our addresses,
/// until when on the wall clock (the only clock two processes, or two boots, share), its slot, and
/// since when the gateway has held it (for the lookup; whole seconds).
/// </summary>
internal readonly record struct SavedClient(ClientEndpoint Client, PackedAddress Local, long DeadlineUnixMs, byte Slot, long SinceUnixMs = 0);

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
