using System.Globalization;

namespace TixTrigger.Bench.Measurement;

/// <summary>
/// The kernel's UDP error counters for the whole machine (IPv4 from /proc/net/snmp plus IPv6 from
/// /proc/net/snmp6): datagrams dropped because a socket's receive buffer was full, and sends that
/// failed for lack of buffer. Machine-wide, so they include the bench's own client sockets;
/// <see cref="SocketDrops"/> tells one socket's share.
/// </summary>
internal readonly record struct UdpCounters(long ReceiveBufferErrors, long SendBufferErrors)
{
    public static UdpCounters Read()
    {
        var v4 = SnmpUdp();
        var v6 = Snmp6();
        return new UdpCounters(
            v4.GetValueOrDefault("RcvbufErrors") + v6.GetValueOrDefault("Udp6RcvbufErrors"),
            v4.GetValueOrDefault("SndbufErrors") + v6.GetValueOrDefault("Udp6SndbufErrors"));
    }

    public static UdpCounters operator -(UdpCounters end, UdpCounters start) =>
        new(end.ReceiveBufferErrors - start.ReceiveBufferErrors, end.SendBufferErrors - start.SendBufferErrors);

    /// <summary>
    /// Datagrams the kernel dropped at the sockets bound to these local ports since each was opened
    /// (the "drops" column of /proc/net/udp and udp6): the drops at the subject's own sockets.
    /// </summary>
    public static long SocketDrops(IReadOnlyCollection<int> localPorts)
    {
        long drops = 0;
        foreach (string file in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            if (!File.Exists(file)) continue;
            foreach (string line in File.ReadLines(file).Skip(1))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
                if (fields.Length < 13) continue;
                int port = int.Parse(fields[1][(fields[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (localPorts.Contains(port)) drops += long.Parse(fields[^1], CultureInfo.InvariantCulture);
            }
        }
        return drops;
    }

    private static Dictionary<string, long> SnmpUdp()
    {
        // Two lines start with "Udp:": the field names, then the values.
        var lines = File.ReadLines("/proc/net/snmp").Where(line => line.StartsWith("Udp:", StringComparison.Ordinal)).ToArray();
        if (lines.Length < 2) return [];
        string[] names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string[] values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return names.Zip(values).Skip(1).ToDictionary(pair => pair.First, pair => long.Parse(pair.Second, CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, long> Snmp6() =>
        !File.Exists("/proc/net/snmp6") ? [] : File.ReadLines("/proc/net/snmp6")
            .Select(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length == 2 && parts[0].StartsWith("Udp6", StringComparison.Ordinal))
            .ToDictionary(parts => parts[0], parts => long.Parse(parts[1], CultureInfo.InvariantCulture));
}
