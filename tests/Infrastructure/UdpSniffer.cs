using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// Sees every IPv4 UDP datagram this machine receives (a raw socket gets a copy of each; loopback
/// traffic included) and keeps those between the ports it watches: what a packet capture would
/// show. Needs root, like <see cref="ForgedDatagrams"/>.
/// </summary>
public sealed class UdpSniffer : IDisposable
{
    /// <param name="Timestamp">When it arrived, as the kernel stamped it (Stopwatch timestamp): a reader held up does not move it.</param>
    public sealed record Seen(IPEndPoint From, IPEndPoint To, int Length, long Timestamp);

    private readonly Socket _raw;
    private readonly HashSet<int> _ports;
    private readonly List<Seen> _seen = [];
    private readonly Thread _thread;
    private volatile bool _stopping;

    public UdpSniffer(params int[] ports)
    {
        if (!Environment.IsPrivilegedProcess) throw new InvalidOperationException("Watching UDP traffic needs a raw socket: run the tests as root (CI does).");
        _ports = [.. ports];
        _raw = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp) { ReceiveTimeout = 100 };
        _raw.ReceiveBufferSize = 32 * 1024 * 1024;
        ArrivalTimes.Enable(_raw);
        _thread = new Thread(Run) { IsBackground = true, Name = "test-udp-sniffer" };
        _thread.Start();
    }

    /// <summary>Datagrams from one watched port to another.</summary>
    public IReadOnlyList<Seen> Between
    {
        get { lock (_seen) return [.. _seen]; }
    }

    private void Run()
    {
        var buffer = new byte[ushort.MaxValue];
        while (!_stopping)
        {
            int length;
            long arrived;
            try
            {
                length = _raw.Receive(buffer);
                arrived = ArrivalTimes.OfLastRead(_raw);
            }
            catch (SocketException)
            {
                continue; // the timeout, so that a stop is noticed
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            var packet = buffer.AsSpan(0, length);
            int headerBytes = (packet[0] & 0x0F) * 4;
            if (length < headerBytes + 8) continue;
            var udp = packet[headerBytes..];
            int fromPort = BinaryPrimitives.ReadUInt16BigEndian(udp);
            int toPort = BinaryPrimitives.ReadUInt16BigEndian(udp[2..]);
            if (!_ports.Contains(fromPort) || !_ports.Contains(toPort)) continue;
            var seen = new Seen(
                new IPEndPoint(new IPAddress(packet.Slice(12, 4)), fromPort),
                new IPEndPoint(new IPAddress(packet.Slice(16, 4)), toPort),
                BinaryPrimitives.ReadUInt16BigEndian(udp[4..]) - 8,
                arrived);
            lock (_seen) _seen.Add(seen);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _raw.Dispose();
    }
}
