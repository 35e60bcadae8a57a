using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Hosting;

/// <summary>
/// The ports a node is about to listen on, each tried before anything starts: one held by another process, or an
/// address that is not this machine's, then costs one line naming its setting instead of the framework's stack
/// traces from a half-started node. A port taken in between still fails the start (<see cref="HostRunExtensions"/>).
/// </summary>
public sealed class ListenPorts
{
    private readonly List<Claim> _claims = [];

    /// <summary>A UDP port on <paramref name="address"/>, bound as the gateway binds it.</summary>
    public ListenPorts Udp(string portSetting, int port, IPAddress address, string addressSetting) =>
        Add(new Claim(ProtocolType.Udp, address, port, portSetting, addressSetting));

    /// <summary>
    /// A TCP port on <paramref name="address"/>, as Kestrel and Orleans bind it: <see cref="IPAddress.IPv6Any"/> is every
    /// interface, IPv4's alone where the host has no IPv6 (<c>ListenAnyIP</c>); <see cref="IPAddress.IPv6Loopback"/> may be missing.
    /// </summary>
    public ListenPorts Tcp(string portSetting, int port, IPAddress address, string? addressSetting = null) =>
        Add(new Claim(ProtocolType.Tcp, address, port, portSetting, addressSetting));

    /// <summary>Whether every port can be bound now; if one cannot, the one line saying why is on stderr.</summary>
    public bool AllBindable()
    {
        string? problem = _claims.Select(Problem).FirstOrDefault(problem => problem is not null);
        if (problem is not null) Console.Error.WriteLine($"tixtrigger: cannot start: {problem}");
        return problem is null;
    }

    private ListenPorts Add(Claim claim)
    {
        // Port 0 (tests only) takes any free port: nothing to collide with.
        if (claim.Port != 0) _claims.Add(claim);
        return this;
    }

    private static string? Problem(Claim claim)
    {
        try
        {
            Bind(claim, claim.Address);
            return null;
        }
        catch (SocketException error) when (claim.Protocol == ProtocolType.Tcp && claim.Address.Equals(IPAddress.IPv6Any) && error.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
        {
            // No IPv6 on this host: every interface is IPv4's, as Kestrel falls back to.
            return Problem(claim with { Address = IPAddress.Any });
        }
        catch (SocketException error) when (claim.Protocol == ProtocolType.Tcp && claim.Address.Equals(IPAddress.IPv6Loopback) && error.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
        {
            // "localhost" without IPv6 is 127.0.0.1 alone, which Kestrel accepts.
            return null;
        }
        catch (SocketException error)
        {
            return Describe(claim, error);
        }
    }

    private static void Bind(Claim claim, IPAddress address)
    {
        bool udp = claim.Protocol == ProtocolType.Udp;
        using var socket = new Socket(address.AddressFamily, udp ? SocketType.Dgram : SocketType.Stream, claim.Protocol);
        if (address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
        // .NET binds TCP with SO_REUSEADDR on Linux, as Kestrel and Orleans do: connections lingering in TIME_WAIT do not
        // hold the port, a listener does. (Its ReuseAddress option would add SO_REUSEPORT and miss such a listener.)
        socket.Bind(new IPEndPoint(address, claim.Port));
    }

    private static string Describe(Claim claim, SocketException error)
    {
        string where = $"{(claim.Protocol == ProtocolType.Udp ? "UDP" : "TCP")} {new IPEndPoint(claim.Address, claim.Port)}";
        string port = $"{claim.PortSetting}={claim.Port}";
        return error.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => $"{port} is in use: another process holds {where} (stop it, or set {claim.PortSetting} to a free port)",
            SocketError.AddressNotAvailable when claim.AddressSetting is not null => $"{claim.AddressSetting}={claim.Address} is not an address of this machine ({where} for {port} cannot be bound)",
            SocketError.AccessDenied => $"{port} is not allowed: binding {where} needs privileges (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
            _ => $"{port}: {where} cannot be bound ({error.Message})",
        };
    }

    private sealed record Claim(ProtocolType Protocol, IPAddress Address, int Port, string PortSetting, string? AddressSetting);
}
