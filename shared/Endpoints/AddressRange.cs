using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Endpoints;

/// <summary>
/// A network in CIDR notation (<c>127.0.0.0/8</c>, <c>::1/128</c>). An IPv4 range covers the same
/// addresses seen by a dual-stack socket, since <see cref="PackedAddress"/> keeps IPv4 as IPv4-mapped IPv6.
/// </summary>
public readonly record struct AddressRange(PackedAddress Network, int PrefixLength)
{
    /// <summary><paramref name="prefixLength"/> counts from the start of the 128-bit form (an IPv4 /8 is a /104 there).</summary>
    private static (ulong High, ulong Low) Mask(int prefixLength) => prefixLength switch
    {
        <= 0 => (0, 0),
        < 64 => (ulong.MaxValue << (64 - prefixLength), 0),
        64 => (ulong.MaxValue, 0),
        < 128 => (ulong.MaxValue, ulong.MaxValue << (128 - prefixLength)),
        _ => (ulong.MaxValue, ulong.MaxValue),
    };

    public bool Contains(PackedAddress address)
    {
        var (high, low) = Mask(PrefixLength);
        return (address.High & high) == Network.High && (address.Low & low) == Network.Low;
    }

    /// <summary>Parses <c>address/length</c> (a bare address is a single host).</summary>
    public static bool TryParse(string text, out AddressRange range)
    {
        range = default;
        int slash = text.IndexOf('/');
        string addressPart = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressPart, out var ip)) return false;
        bool ipv4 = ip.AddressFamily == AddressFamily.InterNetwork;
        int bits = ipv4 ? 32 : 128;
        int length = bits;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > bits)) return false;
        int inFullForm = ipv4 ? 96 + length : length;
        var packed = PackedAddress.From(ip);
        var (high, low) = Mask(inFullForm);
        range = new AddressRange(new PackedAddress(packed.High & high, packed.Low & low), inFullForm);
        return true;
    }

    public override string ToString() =>
        Network.IsIPv4 ? $"{Network}/{PrefixLength - 96}" : $"{Network}/{PrefixLength}";
}
