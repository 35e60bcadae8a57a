using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TixTrigger.Gateway;
using TixTrigger.Protocol;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// A UDP reflector (an echo service, or anything that answers each datagram at once) is not kept
/// alive by our own pings; clients that heartbeat with the ping's bytes, beside it, keep theirs.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReflectorTests(ClusterFixture fixture)
{
    /// <summary>Sends one datagram, then returns every datagram it gets, at once, to where it came from.</summary>
    private sealed class Reflector : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 100 };
        private readonly List<long> _received = [];
        private readonly Thread _thread;
        private volatile bool _stopping;

        public Reflector(IPEndPoint service)
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _thread = new Thread(Run) { IsBackground = true, Name = "test-reflector", Priority = ThreadPriority.AboveNormal };
            _thread.Start();
            _socket.SendTo(Ping.Bytes, service);
        }

        public List<long> Received
        {
            get { lock (_received) return [.. _received]; }
        }

        private void Run()
        {
            var buffer = new byte[2048];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            while (!_stopping)
            {
                try
                {
                    int length = _socket.ReceiveFrom(buffer, ref from);
                    _socket.SendTo(buffer.AsSpan(0, length), from);
                    lock (_received) _received.Add(Stopwatch.GetTimestamp());
                }
                catch (SocketException)
                {
                    // The receive timeout, so that a stop is noticed.
                }
            }
        }

        public void Dispose()
        {
            _stopping = true;
            _thread.Join();
            _socket.Dispose();
        }
    }

    [Fact]
    public async Task A_reflector_gets_no_ping_after_25_seconds_and_clients_heartbeating_the_ping_bytes_keep_theirs()
    {
        await using var gateway = fixture.StartGateway(IPAddress.Loopback, expirySeconds: 5);
        using var everyTwoSeconds = new PingFleet(20);
        using var everySecond = new PingFleet(2);
        long start = Stopwatch.GetTimestamp();
        using var reflector = new Reflector(gateway.LocalEndpoint);
        var duration = TimeSpan.FromSeconds(28);

        // On precise timers: every two seconds with 0x75 0x61, as the original README's client does; every
        // second with the app's bytes (our ping's bytes every second are another trigger's, and refused).
        for (long second = 0; Stopwatch.GetElapsedTime(start) < duration; second++)
        {
            var due = TimeSpan.FromSeconds(second);
            if (due > Stopwatch.GetElapsedTime(start)) await Task.Delay(due - Stopwatch.GetElapsedTime(start));
            foreach (var client in everySecond.Clients) client.Heartbeat(gateway.LocalEndpoint, [0, 0]);
            if (second % 2 == 0)
            {
                foreach (var client in everyTwoSeconds.Clients) client.Heartbeat(gateway.LocalEndpoint, Ping.Bytes.ToArray());
            }
        }
        long end = Stopwatch.GetTimestamp();

        var pinged = reflector.Received;
        double lastPing = pinged.Count == 0 ? 0 : (pinged[^1] - start) / (double)Stopwatch.Frequency;
        double seconds = (end - start) / (double)Stopwatch.Frequency;
        var ordinary = everyTwoSeconds.Clients.Concat(everySecond.Clients).ToList();
        Console.WriteLine($"reflector: {pinged.Count} pings, the last {lastPing:F1} s after it started; {gateway.Metrics.Dropped(DropReason.Echo)} echoes dropped; " +
            $"ordinary clients: {ordinary.Min(c => c.Count)} to {ordinary.Max(c => c.Count)} pings in {seconds:F1} s");
        Assert.True(pinged.Count > 0, "the reflector was never pinged: the test proves nothing");
        Assert.True(lastPing < 25, $"the reflector was still pinged {lastPing:F1} s after it started ({pinged.Count} pings)");
        // It echoes our ping's bytes every second, so it is refused as another trigger or, caught by its phase, as an echo.
        Assert.True(gateway.Metrics.Dropped(DropReason.Echo) + gateway.Metrics.Dropped(DropReason.Trigger) > 0, "none of its datagrams was refused");
        foreach (var client in ordinary)
        {
            // A ping a second from its first heartbeat on; an odd interval for each test of the every-second ones.
            Assert.True(client.Count >= 0.95 * (seconds - 1), $"{client.LocalEndpoint} got {client.Count} pings in {seconds:F1} s");
        }
    }
}
