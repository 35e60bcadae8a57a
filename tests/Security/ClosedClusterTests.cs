using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Security;

/// <summary>
/// A clustered silo opens its Orleans ports on ADVERTISED_IP only, not on every interface of the
/// host; ORLEANS_LISTEN_IP=0.0.0.0 opens them wider when a setup needs that. On loopback, 127.0.0.2
/// stands for "another interface of this host".
/// </summary>
public sealed class ClosedClusterTests
{
    private static readonly IPAddress OtherLocalAddress = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task A_clustered_silo_listens_for_Orleans_on_its_advertised_address_only()
    {
        await using var cluster = await LocalCluster.StartAsync(silos: 1, gateways: []);
        var silo = cluster.Silos[0];
        int siloPort = cluster.SiloPorts[0], dashboardPort = cluster.DashboardPorts[0];

        var orleans = ListeningSockets(silo.Id).Where(socket => socket.Port != dashboardPort).ToList();

        Assert.Equal(2, orleans.Count); // silo port and Orleans gateway port
        Assert.All(orleans, socket => Assert.Equal(IPAddress.Loopback, socket.Address));
        Assert.True(Accepts(IPAddress.Loopback, siloPort));
        Assert.False(Accepts(OtherLocalAddress, siloPort), "the silo port answers on another address than the advertised one");
    }

    [Fact]
    public async Task ORLEANS_LISTEN_IP_0_0_0_0_listens_on_every_interface()
    {
        await using var cluster = await LocalCluster.StartAsync(silos: 1, gateways: [], environment: new Dictionary<string, string> { ["ORLEANS_LISTEN_IP"] = "0.0.0.0" });

        Assert.True(Accepts(OtherLocalAddress, cluster.SiloPorts[0]));
    }

    private static bool Accepts(IPAddress address, int port)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            client.Connect(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The TCP sockets a process listens on, from /proc: its socket inodes matched against the kernel's tables.</summary>
    private static List<IPEndPoint> ListeningSockets(int pid)
    {
        var inodes = Directory.GetFiles($"/proc/{pid}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget ?? "")
            .Where(target => target.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(target => target["socket:[".Length..^1])
            .ToHashSet();
        var sockets = new List<IPEndPoint>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (string line in File.ReadAllLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] != "0A" || !inodes.Contains(fields[9])) continue; // 0A: LISTEN
                var local = fields[1].Split(':');
                byte[] address = Convert.FromHexString(local[0]);
                // The kernel prints each 32-bit word of the address in host (little-endian) order.
                for (int i = 0; i < address.Length; i += 4) Array.Reverse(address, i, 4);
                sockets.Add(new IPEndPoint(new IPAddress(address), int.Parse(local[1], NumberStyles.HexNumber)));
            }
        }
        return sockets;
    }
}
