using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.Abuse;

/// <summary>
/// The network a source address is counted in by the per-prefix limits, as DNS Response Rate
/// Limiting groups clients (NSD and BIND): its /24 for IPv4, its /56 for IPv6 (a home or a phone
/// gets a /56 or a /64 from its provider and may use any address in it).
/// </summary>
internal static class SourcePrefix
{
    public static PackedAddress Of(PackedAddress address) =>
        address.IsIPv4
            ? new PackedAddress(address.High, address.Low & ~0xFFUL)
            : new PackedAddress(address.High & ~0xFFUL, 0);
}
