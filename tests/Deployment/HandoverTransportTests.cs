using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Handover;
using TixTrigger.Gateway.Udp;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Deployment;

/// <summary>
/// The hand-over's transport between two ends in one test process (each end alone, as two processes use it):
/// the rendezvous socket, the sockets passed with SCM_RIGHTS, the settings check, the cut-over, and timeouts.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HandoverTransportTests : IDisposable
{
    private readonly HandoverSettings _settings = new($"transport-{Guid.NewGuid():N}", IPAddress.Loopback, FreePorts.Next(), FreePorts.Next());
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    [Fact]
    public async Task The_passed_UDP_socket_keeps_the_datagrams_queued_in_it_and_the_metrics_listener_its_port()
    {
        var udp = new LinuxDatagramSocket(new IPEndPoint(_settings.Host, _settings.Port));
        using var metrics = MetricsPortListener.Open(_settings.MetricsPort);
        using var phone = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        phone.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        // Queued before the hand-over, never read by the old end: the new one must get every one.
        for (int size = 1; size <= 3; size++) phone.SendTo(new byte[size], udp.LocalEndpoint);
        byte[] state = [1, 2, 3, 4, 5];
        long stoppedBefore = 0;
        var listener = new HandoverListener(_settings, metrics, async (successor, cancel) =>
        {
            await successor.SendSocketsAsync(udp, cancel);
            await successor.WaitUntilItWantsClientsAsync(cancel);
            await successor.SendClientsAsync(state, cancel);
            await successor.AgreeFirstSlotAsync(slot => stoppedBefore = slot, cancel);
            await successor.SayDoneAsync(cancel);
        }, NullLogger.Instance);
        var running = Task.Run(() => listener.RunAsync(_stop.Token));

        using var predecessor = await TakeOverAsync();
        Assert.Equal(Environment.ProcessId, predecessor.ProcessId);
        Assert.Equal(udp.LocalEndpoint, predecessor.Socket.LocalEndpoint);
        Assert.Equal(_settings.MetricsPort, ((IPEndPoint)predecessor.MetricsListener.LocalEndPoint!).Port);

        // The old end's descriptors close (its process exits): the sockets live on in the new end's.
        udp.Dispose();
        metrics.Dispose();
        phone.SendTo(new byte[4], new IPEndPoint(_settings.Host, _settings.Port));
        var received = new ReceivedDatagram[8];
        var lengths = new List<int>();
        var deadline = Stopwatch.StartNew();
        while (lengths.Count < 4 && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            int count = predecessor.Socket.Receive(received, TimeSpan.FromMilliseconds(200));
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(ClientEndpoint.From((IPEndPoint)phone.LocalEndPoint!), received[i].Remote);
                lengths.Add(received[i].Length);
            }
        }
        Assert.Equal([1, 2, 3, 4], lengths);
        using (var scrape = new TcpClient())
        {
            var accepting = predecessor.MetricsListener.AcceptAsync(_stop.Token);
            await scrape.ConnectAsync(IPAddress.Loopback, _settings.MetricsPort, _stop.Token);
            using var accepted = await accepting;
        }

        Assert.Equal(state, predecessor.FetchClients(_stop.Token).ToArray());
        long firstSlot = await predecessor.AskFirstSlotAsync(_stop.Token);
        Assert.Equal(stoppedBefore, firstSlot);
        Assert.True(firstSlot > Stopwatch.GetTimestamp() - Stopwatch.Frequency, "the cut-over is now, on the clock both processes share");
        await predecessor.WaitUntilDoneAsync(_stop.Token);
        Assert.True(await running, "the old end reports the hand-over done");
        predecessor.Socket.Dispose();
        predecessor.MetricsListener.Dispose();
    }

    [Fact]
    public async Task A_process_with_other_settings_is_refused_with_the_difference_and_the_running_one_still_hands_over_to_the_right_one()
    {
        using var udp = new LinuxDatagramSocket(new IPEndPoint(_settings.Host, _settings.Port));
        using var metrics = MetricsPortListener.Open(_settings.MetricsPort);
        int handOffs = 0;
        var listener = new HandoverListener(_settings, metrics, async (successor, cancel) =>
        {
            Interlocked.Increment(ref handOffs);
            await successor.SendSocketsAsync(udp, cancel);
            await successor.WaitUntilItWantsClientsAsync(cancel);
            await successor.SendClientsAsync(new byte[] { 9 }, cancel);
        }, NullLogger.Instance);
        _ = Task.Run(() => listener.RunAsync(_stop.Token));
        await TakeOverAsync(probeOnly: true);

        var other = _settings with { MetricsPort = _settings.MetricsPort + 1 };
        var refused = Assert.Throws<HandoverException>(() => HandoverClient.TryTakeOver(other, _stop.Token));
        Assert.Contains($"METRICS_PORT={other.MetricsPort} here, {_settings.MetricsPort} there", refused.Message);
        Assert.Contains($"PORT={_settings.Port}", refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.Equal(0, handOffs);

        using var predecessor = await TakeOverAsync();
        Assert.Equal([9], predecessor.FetchClients(_stop.Token).ToArray());
        predecessor.Socket.Dispose();
        predecessor.MetricsListener.Dispose();
    }

    [Fact]
    public void A_second_process_cannot_share_the_METRICS_PORT_listener()
    {
        using var first = MetricsPortListener.Open(_settings.MetricsPort);
        var second = Assert.Throws<SocketException>(() => MetricsPortListener.Open(_settings.MetricsPort).Dispose());
        Assert.Contains($"TCP port {_settings.MetricsPort} is in use", second.Message);
    }

    [Fact]
    public void With_nobody_listening_a_process_starts_afresh()
    {
        Assert.Null(HandoverClient.TryTakeOver(_settings, _stop.Token));
    }

    [Fact]
    public void Another_users_process_on_the_hand_over_socket_does_not_keep_a_new_gateway_from_starting()
    {
        // Another user binds the name first (an abstract socket has no permissions): no gateway of ours runs.
        using var squatter = AnotherUser.Run(AnotherUser.Nobody, () =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(_settings.SocketName));
            socket.Listen(1);
            return socket;
        });
        Assert.Null(HandoverClient.TryTakeOver(_settings, _stop.Token));
    }

    [Fact]
    public async Task Another_users_process_gets_nothing_from_a_running_gateway_which_goes_on_listening()
    {
        using var udp = new LinuxDatagramSocket(new IPEndPoint(_settings.Host, _settings.Port));
        using var metrics = MetricsPortListener.Open(_settings.MetricsPort);
        int handOffs = 0;
        var listener = new HandoverListener(_settings, metrics, (successor, cancel) =>
        {
            Interlocked.Increment(ref handOffs);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        var running = Task.Run(() => listener.RunAsync(_stop.Token));
        await TakeOverAsync(probeOnly: true);
        using var stranger = AnotherUser.Run(AnotherUser.Nobody, () =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(_settings.SocketName));
            return socket;
        });
        var answer = new byte[256];
        stranger.ReceiveTimeout = 10_000;
        int read = stranger.Receive(answer);
        Assert.True(read > 0 && answer[0] == (byte)FrameType.Refused, $"the stranger got {read} bytes, type {answer[0]}");
        Assert.Equal(0, handOffs);
        Assert.False(running.IsCompleted);
        await TakeOverAsync(probeOnly: true);
    }

    [Fact]
    public void A_running_process_that_hangs_costs_the_new_one_seconds_and_one_line_naming_the_port()
    {
        // Listens (so the connect succeeds) but never answers: a stuck old process.
        using var stuck = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stuck.Bind(new UnixDomainSocketEndPoint(_settings.SocketName));
        stuck.Listen(1);
        var waited = Stopwatch.StartNew();
        var error = Assert.Throws<HandoverException>(() => HandoverClient.TryTakeOver(_settings, _stop.Token));
        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20));
        Assert.Contains($"PORT={_settings.Port}", error.Message);
        Assert.Contains("too long", error.Message);
    }

    [Fact]
    public async Task A_successor_that_hangs_up_with_the_clients_before_it_is_ready_leaves_the_running_one_listening_for_the_next()
    {
        using var udp = new LinuxDatagramSocket(new IPEndPoint(_settings.Host, _settings.Port));
        using var metrics = MetricsPortListener.Open(_settings.MetricsPort);
        var failures = new List<string>();
        int attempts = 0;
        var listener = new HandoverListener(_settings, metrics, async (successor, cancel) =>
        {
            Interlocked.Increment(ref attempts);
            await successor.SendSocketsAsync(udp, cancel);
            try
            {
                await successor.WaitUntilItWantsClientsAsync(cancel);
                await successor.SendClientsAsync(new byte[] { 7 }, cancel);
                await successor.AgreeFirstSlotAsync(slot => slot, cancel);
            }
            catch (HandoverException error)
            {
                lock (failures) failures.Add(error.Message);
                throw;
            }
        }, NullLogger.Instance);
        _ = Task.Run(() => listener.RunAsync(_stop.Token));

        var first = await TakeOverAsync();
        Assert.Equal([7], first.FetchClients(_stop.Token).ToArray());
        first.Socket.Dispose();
        first.MetricsListener.Dispose();
        first.Dispose();
        Assert.True(await Eventually.True(() => { lock (failures) return failures.Count == 1; }, TimeSpan.FromSeconds(5)));
        Assert.Contains("hung up", failures[0]);

        using var second = await TakeOverAsync();
        Assert.Equal(2, attempts);
        second.Socket.Dispose();
        second.MetricsListener.Dispose();
    }

    /// <summary>Takes over once the listener (started on another thread) listens; with <paramref name="probeOnly"/>, only waits for that.</summary>
    private async Task<Predecessor> TakeOverAsync(bool probeOnly = false)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (probeOnly)
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await probe.ConnectAsync(new UnixDomainSocketEndPoint(_settings.SocketName));
                    return null!;
                }
                catch (SocketException)
                {
                }
            }
            else if (await Task.Run(() => HandoverClient.TryTakeOver(_settings, _stop.Token)) is { } predecessor)
            {
                return predecessor;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("the running end never listened");
    }
}
