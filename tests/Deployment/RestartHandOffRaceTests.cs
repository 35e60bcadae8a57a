using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using TixTrigger.Gateway;
using TixTrigger.Gateway.State;
using TixTrigger.Gateway.Udp;
using TixTrigger.Settings;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Deployment;

/// <summary>
/// The old gateway's half of a hand-over where it goes wrong, each step driven from the test (no race left to
/// timing): a stop asked for in the middle, a successor lost after the cut-over is marked, a cut-over marked late.
/// Each time every client keeps its ping each second, and none gets two in a slot.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RestartHandOffRaceTests(ClusterFixture fixture)
{
    private static readonly long CutOverLead = Stopwatch.Frequency * 30 / 1000;

    [Fact]
    public async Task A_stop_asked_for_during_a_hand_over_waits_for_it_and_the_old_pings_until_the_cut_over()
    {
        await using var pair = await Pair.StartAsync(fixture);
        var proceed = new TaskCompletionSource();
        var exported = new TaskCompletionSource();
        long start = Stopwatch.GetTimestamp();
        var handingOff = pair.Old.HandOffAsync(
            async (bytes, _) =>
            {
                var copy = bytes.ToArray();
                exported.SetResult();
                // The SIGTERM lands here: clients exported, no cut-over yet, the old one still the only one pinging.
                await proceed.Task;
                pair.StartSuccessor(copy);
            },
            async (stopBefore, _) =>
            {
                await pair.SuccessorReady;
                pair.FirstSlot.SetResult(stopBefore(Stopwatch.GetTimestamp() + CutOverLead));
            },
            CancellationToken.None);
        await exported.Task;
        var stopping = Task.Run(pair.Old.StopAsync);
        await Task.Delay(300);
        long from = Stopwatch.GetTimestamp();
        await Task.Delay(1500);
        bool pinged = pair.Fleet.AllPingedSince(from);
        bool stoppedEarly = stopping.IsCompleted;
        proceed.SetResult();
        await handingOff;
        await pair.Starting;
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(3));
        long end = Stopwatch.GetTimestamp();

        Assert.False(stoppedEarly, "the stop returned while the hand-over was under way");
        Assert.True(pinged, $"{pair.Fleet.PingedSince(from)} of {pair.Fleet.Clients.Count} clients pinged while the stop waited for the hand-over");
        pair.AssertEveryPingOnTime(start, end);
        Assert.Equal(pair.Fleet.Clients.Count, pair.Successor!.ClientCount);
    }

    [Fact]
    public async Task A_successor_lost_once_the_old_waits_at_the_cut_over_leaves_the_old_pinging_every_slot()
    {
        await using var pair = await Pair.StartAsync(fixture);
        long start = Stopwatch.GetTimestamp();
        bool reachedMark = false;
        await Assert.ThrowsAsync<IOException>(() => pair.Old.HandOffAsync(
            (_, _) => Task.CompletedTask,
            async (stopBefore, _) =>
            {
                stopBefore(Stopwatch.GetTimestamp() + CutOverLead);
                reachedMark = await Eventually.True(() => pair.Old.SenderWaitsAtCutOver, TimeSpan.FromSeconds(2));
                throw new IOException("the successor hung up after the cut-over was marked");
            },
            CancellationToken.None));
        using var latecomer = new PingClient();
        latecomer.Heartbeat(pair.Old.LocalEndpoint);
        await Task.Delay(TimeSpan.FromSeconds(3));
        long end = Stopwatch.GetTimestamp();

        Assert.True(reachedMark, "the sender never reached the cut-over");
        pair.AssertEveryPingOnTime(start, end);
        Assert.True(latecomer.Pings.Count >= 2, $"a heartbeat after the failed hand-over got {latecomer.Pings.Count} pings");
    }

    [Fact]
    public async Task A_cut_over_marked_after_it_passed_moves_past_the_slots_the_old_already_sent()
    {
        await using var pair = await Pair.StartAsync(fixture);
        long start = Stopwatch.GetTimestamp();
        await pair.Old.HandOffAsync(
            (bytes, _) =>
            {
                pair.StartSuccessor(bytes.ToArray());
                return Task.CompletedTask;
            },
            async (stopBefore, _) =>
            {
                await pair.SuccessorReady;
                // As if this thread was descheduled between picking the cut-over and marking it, past the slot the clients were last pinged in.
                long lastPinged = pair.Fleet.Clients.Max(client => client.Pings[^1].Timestamp);
                pair.FirstSlot.SetResult(stopBefore(lastPinged - Stopwatch.Frequency / 50));
            },
            CancellationToken.None);
        await pair.Starting;
        await Task.Delay(TimeSpan.FromSeconds(3));
        long end = Stopwatch.GetTimestamp();

        pair.AssertEveryPingOnTime(start, end);
    }

    /// <summary>An old gateway with pinged clients on a socket a successor in this process can share, and that successor.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        private readonly ClusterFixture _fixture;
        private readonly UdpGatewayOptions _options;
        private readonly IDatagramSocket _socket;
        private readonly SharedDatagramSocket _shared;

        private Pair(ClusterFixture fixture)
        {
            _fixture = fixture;
            _options = fixture.NewGatewayOptions(IPAddress.Loopback);
            _socket = DatagramSocketFactory.Open(new IPEndPoint(IPAddress.Loopback, 0));
            _shared = new SharedDatagramSocket(_socket);
            // Started as if taking over from nobody, so that it closes only the shared socket's wrapper (the successor sends on it).
            var empty = new MemoryStream();
            GatewayStateFormat.Write(empty, new GatewayImage { TakenAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), PingOriginTimestamp = Stopwatch.GetTimestamp() });
            Old = new UdpGateway(_options, fixture.Cluster.Client, NullLoggerFactory.Instance);
            Old.Start(new GatewayTakeover(_shared, empty.ToArray(), () => Task.FromResult(0L)));
        }

        public UdpGateway Old { get; }

        public UdpGateway? Successor { get; private set; }

        public PingFleet Fleet { get; } = new(100);

        public TaskCompletionSource<long> FirstSlot { get; } = new();

        private SuccessorStart? _start;

        /// <summary>The successor (started by the clients' bytes, before the cut-over is agreed) waits for its first slot.</summary>
        public Task SuccessorReady => _start!.Ready;

        public Task Starting { get; private set; } = Task.CompletedTask;

        public static async Task<Pair> StartAsync(ClusterFixture fixture)
        {
            var pair = new Pair(fixture);
            pair.Fleet.Heartbeat(pair.Old.LocalEndpoint);
            Assert.True(await Eventually.True(() => pair.Fleet.AllPingedSince(0), TimeSpan.FromSeconds(5)));
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            return pair;
        }

        /// <summary>The successor's start waits for the cut-over the old one marks (see <see cref="SuccessorStart"/>).</summary>
        public void StartSuccessor(byte[] clients)
        {
            Successor = new UdpGateway(_options, _fixture.Cluster.Client, NullLoggerFactory.Instance);
            _start = new SuccessorStart(Successor, _shared, clients, FirstSlot.Task);
            Starting = _start.Started;
        }

        public void AssertEveryPingOnTime(long from, long to)
        {
            var gap = Fleet.LongestGap(from, to);
            Assert.True(gap < TimeSpan.FromSeconds(1.5), $"a missed ping: the longest gap was {gap.TotalMilliseconds:F0} ms");
            var (onTime, intervals) = Fleet.IntervalsOnTime(from, to, PingAssertions.IntervalTolerance);
            Console.WriteLine($"longest gap {gap.TotalMilliseconds:F0} ms; {onTime}/{intervals} intervals on time");
            Assert.True(onTime >= intervals * 0.999, $"{onTime} of {intervals} intervals on time (a slot sent twice makes an interval too short; a late ping, one too long and the next too short); {Timeline(from)}");
        }

        /// <summary>The first client's pings and the cut-over, in ms from <paramref name="from"/>: what a failure needs to be read.</summary>
        private string Timeline(long from)
        {
            static long Ms(long ticks, long from) => (ticks - from) * 1000 / Stopwatch.Frequency;
            string cutOver = FirstSlot.Task.IsCompletedSuccessfully ? $"{Ms(FirstSlot.Task.Result, from)} ms" : "none";
            var pings = Fleet.Clients[0].Pings.ToArray().Select(ping => Ms(ping.Timestamp, from)).Where(ms => ms > -3_000);
            return $"cut-over at {cutOver}; the first client's pings at {string.Join(", ", pings)} ms from the test's start";
        }

        public async ValueTask DisposeAsync()
        {
            if (Successor is not null) await Successor.StopAsync();
            await Old.StopAsync();
            _socket.Dispose();
            Fleet.Dispose();
        }
    }
}
