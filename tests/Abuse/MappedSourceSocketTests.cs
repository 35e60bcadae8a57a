using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Udp;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// What the gateway's socket makes of an IPv4-mapped source (<c>::ffff:a.b.c.d</c>): the IPv4 client
/// a.b.c.d when the datagram came over IPv4, malformed (a negative length) when it came over IPv6,
/// where no real packet carries such a source. Real datagrams on loopback, one forged over IPv6.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class MappedSourceSocketTests
{
    private static readonly IPAddress MappedLoopback = IPAddress.Parse("::ffff:127.0.0.1");

    private static ReceivedDatagram ReceiveOne(IDatagramSocket socket)
    {
        var into = new ReceivedDatagram[1];
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            if (socket.Receive(into, TimeSpan.FromMilliseconds(100)) == 1) return into[0];
        }
        throw new TimeoutException("nothing arrived");
    }

    [Fact]
    public void On_a_dual_stack_wildcard_only_a_datagram_that_came_over_IPv4_is_an_IPv4_client()
    {
        using var gateway = new LinuxDatagramSocket(new IPEndPoint(IPAddress.IPv6Any, 0));
        int port = gateway.LocalEndpoint.Port;
        using var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        v4.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int clientPort = ((IPEndPoint)v4.LocalEndPoint!).Port;
        using var v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        v6.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        using var forger = new ForgedIPv6Datagrams();

        v4.SendTo(new byte[2], new IPEndPoint(IPAddress.Loopback, port));
        var overIPv4 = ReceiveOne(gateway);
        v6.SendTo(new byte[2], new IPEndPoint(IPAddress.IPv6Loopback, port));
        var overIPv6 = ReceiveOne(gateway);
        forger.Send(new IPEndPoint(MappedLoopback, clientPort), new IPEndPoint(IPAddress.IPv6Loopback, port), new byte[2]);
        var forged = ReceiveOne(gateway);

        Assert.Equal(2, overIPv4.Length);
        Assert.Equal(ClientEndpoint.From(new IPEndPoint(IPAddress.Loopback, clientPort)), overIPv4.Remote);
        Assert.Equal(PackedAddress.From(IPAddress.Loopback), overIPv4.Local);
        Assert.Equal(2, overIPv6.Length);
        Assert.Equal(PackedAddress.From(IPAddress.IPv6Loopback), overIPv6.Local);
        // The same source as the IPv4 client's, to an IPv6 address of ours: forged.
        Assert.Equal(ClientEndpoint.From(new IPEndPoint(IPAddress.Loopback, clientPort)), forged.Remote);
        Assert.True(forged.Length < 0, $"a mapped source over IPv6 was read as a datagram of {forged.Length} bytes");
    }

    [Fact]
    public void On_a_specific_IPv6_address_a_mapped_source_is_malformed()
    {
        using var gateway = new LinuxDatagramSocket(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        using var forger = new ForgedIPv6Datagrams();

        forger.Send(new IPEndPoint(MappedLoopback, 40_000), gateway.LocalEndpoint, new byte[2]);

        Assert.True(ReceiveOne(gateway).Length < 0);
    }
}
