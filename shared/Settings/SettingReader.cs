using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using TixTrigger.Endpoints;

namespace TixTrigger.Settings;

/// <summary>
/// Reads the service's environment variables (by their original names) from configuration,
/// turning any unusable value into one <see cref="InvalidSettingException"/>.
/// </summary>
public sealed class SettingReader(IConfiguration configuration)
{
    private string? Raw(string name)
    {
        string? value = configuration[name];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public string? OptionalString(string name) => Raw(name);

    public int Int(string name, int fallback, int min, int max)
    {
        string? raw = Raw(name);
        if (raw is null) return fallback;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new InvalidSettingException(name, raw, $"a whole number from {min} to {max}");
        }
        return value;
    }

    public int Port(string name, int fallback) => Int(name, fallback, 1, 65535);

    public IPAddress Address(string name, string fallback)
    {
        string raw = Raw(name) ?? fallback;
        if (!IPAddress.TryParse(raw, out var address))
        {
            throw new InvalidSettingException(name, raw, "an IPv4 or IPv6 address, such as 0.0.0.0, 127.0.0.1 or ::");
        }
        return address;
    }

    /// <summary>
    /// An address to advertise to other nodes; <c>auto</c> takes this host's first non-loopback
    /// IPv4 address (a container's own address, which compose does not know in advance).
    /// </summary>
    public IPAddress? AdvertisedAddress(string name)
    {
        string? raw = Raw(name);
        if (raw is null) return null;
        if (!raw.Equals("auto", StringComparison.OrdinalIgnoreCase)) return Address(name, raw);
        var found = NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == OperationalStatus.Up && nic.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address));
        return found ?? throw new InvalidSettingException(name, raw, "an IP address, or auto when the host has a non-loopback IPv4 address (this one has none)");
    }

    public bool Bool(string name, bool fallback)
    {
        string? raw = Raw(name);
        if (raw is null) return fallback;
        return raw.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new InvalidSettingException(name, raw, "true or false (or 1, 0, yes, no)"),
        };
    }

    public Uri? OptionalHttpUri(string name)
    {
        string? raw = Raw(name);
        if (raw is null) return null;
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidSettingException(name, raw, "an absolute http:// or https:// URL, such as http://otel-collector:4317");
        }
        return uri;
    }

    public T Choice<T>(string name, T fallback) where T : struct, Enum
    {
        string? raw = Raw(name);
        if (raw is null) return fallback;
        if (!Enum.TryParse(raw, ignoreCase: true, out T value) || !Enum.IsDefined(value) || raw.All(char.IsAsciiDigit))
        {
            throw new InvalidSettingException(name, raw, string.Join(" or ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant())));
        }
        return value;
    }

    /// <summary>Comma-separated networks in CIDR notation, or <c>none</c> for an empty list.</summary>
    public AddressRange[] AddressRanges(string name, string fallback)
    {
        string raw = Raw(name) ?? fallback;
        if (raw.Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var ranges = new List<AddressRange>();
        foreach (string part in raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!AddressRange.TryParse(part, out var range))
            {
                throw new InvalidSettingException(name, raw, "networks in CIDR notation separated by commas, such as 127.0.0.0/8,::1/128, or none");
            }
            ranges.Add(range);
        }
        return [.. ranges];
    }

    /// <summary>
    /// A directory this process keeps files in, created if missing; null when set empty or to
    /// <c>none</c> (turned off). Checked now, so that an unwritable one is one clear line at start.
    /// </summary>
    public string? WritableDirectory(string name, string fallback)
    {
        string? set = configuration[name];
        if (set is not null && (string.IsNullOrWhiteSpace(set) || set.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))) return null;
        string raw = Raw(name) ?? fallback;
        try
        {
            string full = Path.GetFullPath(raw);
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return full;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidSettingException(name, raw, $"a directory this process can create and write ({error.Message}), or empty to turn it off");
        }
    }

    public string Identifier(string name, string fallback)
    {
        string raw = Raw(name) ?? fallback;
        bool valid = raw.Length <= 128 && raw.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
        if (!valid)
        {
            throw new InvalidSettingException(name, raw, "up to 128 letters, digits and the characters - _ . :");
        }
        return raw;
    }

    public LogLevel Level(string name, LogLevel fallback)
    {
        string? raw = Raw(name);
        if (raw is null) return fallback;
        return raw.ToUpperInvariant() switch
        {
            "TRACE" => LogLevel.Trace,
            "DEBUG" => LogLevel.Debug,
            "INFO" or "INFORMATION" => LogLevel.Information,
            "WARNING" or "WARN" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            "CRITICAL" or "FATAL" => LogLevel.Critical,
            "NONE" => LogLevel.None,
            _ => throw new InvalidSettingException(name, raw,
                "DEBUG, INFO, WARNING, ERROR or CRITICAL (or Trace, Debug, Information, Warning, Error, Critical, None)"),
        };
    }
}
