using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.Mirror;

/// <summary>
/// One client as a gateway saves it or hands it to its successor: who, from which of our addresses,
/// until when on the wall clock (the only clock two processes, or two boots, share), its slot, and
/// since when the gateway has held it (for the lookup; whole seconds).
/// </summary>
internal readonly record struct SavedClient(ClientEndpoint Client, PackedAddress Local, long DeadlineUnixMs, byte Slot, long SinceUnixMs = 0);
