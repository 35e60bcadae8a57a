using System.Globalization;
using System.Net;

namespace TixTrigger.Reference;

/// <summary>
/// The service's settings that matter to a bare pinger, read from the same environment variables
/// with the same defaults, so the bench can start either one the same way.
/// </summary>
internal sealed record ReferenceSettings(IPAddress Host, int Port, double ExpirySeconds)
{
    public static ReferenceSettings Read(Func<string, string?> environment) => new(
        Address(environment, "HOST", "0.0.0.0"),
        (int)Number(environment, "PORT", 7561, 1, 65_535, whole: true),
        // Fractions too (the service takes whole seconds), for the bench's short expiry checks.
        Number(environment, "CLIENT_EXPIRATION_SECONDS", 120, 0.1, 86_400, whole: false));

    private static IPAddress Address(Func<string, string?> environment, string name, string fallback)
    {
        string text = Value(environment, name) ?? fallback;
        return IPAddress.TryParse(text, out var address)
            ? address
            : throw new FormatException($"{name} must be an IP address such as 0.0.0.0, 127.0.0.1 or ::, not '{text}'");
    }

    private static double Number(Func<string, string?> environment, string name, double fallback, double min, double max, bool whole)
    {
        string? text = Value(environment, name);
        if (text is null) return fallback;
        return double.TryParse(text, whole ? NumberStyles.Integer : NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max
            ? value
            : throw new FormatException($"{name} must be a {(whole ? "whole number" : "number")} from {min} to {max}, not '{text}'");
    }

    private static string? Value(Func<string, string?> environment, string name) =>
        environment(name) is { Length: > 0 } text ? text.Trim() : null;
}
