using System.Diagnostics;
using System.Net;
using TixTrigger.Protocol;
using TixTrigger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// Issue 14, "no self-sustaining loop from any forged datagram": one node with
/// CLIENT_EXPIRATION_SECONDS=10, and beside each other for 70 s, answerers of every class the issue
/// names, each started by one datagram forged from its endpoint and then only reacting to what it
/// gets, and apps on their own timers. No answerer may get a ping after 45 s (the issue's bound is
/// 3 x expiry + 10 s = 40 s); the apps keep their share of pings (99 % at 2 s or more seldom, 97 %
/// every second with the app's bytes). Each class is a test of its own, read from one shared run.
/// </summary>
[Collection(LoopRunsCollection.Name)]
public sealed class AnswererLoopTests(LoopRuns runs, ITestOutputHelper output)
{
    private const double NoPingAfterSeconds = 45;

    [Theory]
    [InlineData(0)]
    [InlineData(1_500)]
    [InlineData(5_500)]
    [InlineData(10_000)]
    public async Task An_answerer_that_returns_each_ping_after_a_fixed_delay_gets_no_ping_after_45_seconds(int delayMs) =>
        NoPingAfter45Seconds(await runs.Answerers, Run.FixedDelay(delayMs));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task An_answerer_of_every_kth_ping_gets_no_ping_after_45_seconds(int k) =>
        NoPingAfter45Seconds(await runs.Answerers, Run.EveryKth(k));

    [Fact]
    public async Task An_answerer_with_up_to_300_ms_of_random_jitter_gets_no_ping_after_45_seconds() =>
        NoPingAfter45Seconds(await runs.Answerers, Run.Jitter);

    [Fact]
    public async Task An_answerer_with_random_bytes_of_random_sizes_gets_no_ping_after_45_seconds() =>
        NoPingAfter45Seconds(await runs.Answerers, Run.RandomSizes);

    [Fact]
    public async Task A_program_that_pings_us_every_second_while_we_ping_it_gets_no_ping_after_45_seconds() =>
        NoPingAfter45Seconds(await runs.Answerers, Run.TriggerProgram);

    [Theory]
    [InlineData(2, "00 00")]
    [InlineData(2, "75 61")]
    [InlineData(2, "random")]
    [InlineData(3, "00 00")]
    [InlineData(3, "75 61")]
    [InlineData(3, "random")]
    [InlineData(5, "00 00")]
    [InlineData(5, "75 61")]
    [InlineData(5, "random")]
    public async Task An_app_heartbeating_every_2_s_or_more_seldom_keeps_99_percent_of_its_pings(int periodSeconds, string payload)
    {
        var run = await runs.Answerers;
        var app = run.Apps[Run.App(periodSeconds, payload)];
        output.WriteLine(run.Lines[Run.App(periodSeconds, payload)]);
        Assert.True(app.Share >= 0.99, $"{Run.App(periodSeconds, payload)}: {app}");
    }

    [Fact]
    public async Task An_app_heartbeating_every_second_with_its_own_bytes_keeps_97_percent_of_its_pings()
    {
        var run = await runs.Answerers;
        var app = run.Apps[Run.App(1, "00 00")];
        output.WriteLine(run.Lines[Run.App(1, "00 00")]);
        Assert.True(app.Share >= 0.97, $"{Run.App(1, "00 00")}: {app}");
    }

    private void NoPingAfter45Seconds(Run run, string name)
    {
        var answerer = run.Answerers[name];
        output.WriteLine(run.Lines[name]);
        Assert.False(run.NodeExited, "the node exited during the run: " + run.Drops);
        Assert.True(answerer.Pings > 0, $"{name}: never pinged, so the test proves nothing (is the forger's raw socket working?)");
        Assert.True(answerer.LastPingSeconds < NoPingAfterSeconds,
            $"{name}: {answerer.Pings} pings, the last {answerer.LastPingSeconds:F1} s after the forged datagram (bound {NoPingAfterSeconds} s); {answerer.Answered} answers sent; node: {run.Drops}");
    }

    /// <summary>The run every test of this class reads: started once by <see cref="LoopRuns"/>.</summary>
    public sealed class Run
    {
        public const int ExpirySeconds = 10;
        private static readonly TimeSpan Duration = TimeSpan.FromSeconds(70);
        private static readonly TimeSpan AnswerAfter = TimeSpan.FromMilliseconds(20);

        /// <summary>What an answerer got: every ping, whenever it came.</summary>
        public sealed record Answerer(int Pings, double? LastPingSeconds, int Answered);

        public static string FixedDelay(int ms) => $"answers each ping after {ms / 1000.0:0.0##} s";

        public static string EveryKth(int k) => $"answers every {k}{(k == 2 ? "nd" : k == 3 ? "rd" : "th")} ping";

        public const string Jitter = "answers each ping after 0-300 ms at random";

        public const string RandomSizes = "answers each ping with 1-64 random bytes";

        public const string TriggerProgram = "pings every second while pinged";

        public static string App(int periodSeconds, string payload) => $"app every {periodSeconds} s, {payload}";

        public Dictionary<string, Answerer> Answerers { get; } = [];

        public Dictionary<string, PingShare> Apps { get; } = [];

        /// <summary>The node's figures at the end (clients, pings, drops by reason), or why there are none.</summary>
        public string Drops { get; private set; } = "";

        /// <summary>A node that died during the run pings nobody: a run that proves nothing.</summary>
        public bool NodeExited { get; private set; }

        /// <summary>Each client's line of the report: its class, its pings, its last ping.</summary>
        public Dictionary<string, string> Lines { get; } = [];

        public string Report { get; private set; } = "";

        public static async Task<Run> RunAsync(SingleNode node)
        {
            int seed = Environment.TickCount;
            var random = new Random(seed);
            var service = node.Udp;
            using var timeline = new Timeline();
            var answerers = new List<UdpAnswerer>();
            var apps = new List<(string Name, PingClient Client, long FirstHeartbeat)>();
            var clients = new List<PingClient>();
            long start = 0;
            try
            {
                // Answerers on 127.0.1.x: each reaction runs on the answerer's own thread, delayed answers on the timeline.
                int address = 0;
                UdpAnswerer Answerer(string name, Action<UdpAnswerer, PingClient.Received> react)
                {
                    var answerer = new UdpAnswerer(name, IPAddress.Parse($"127.0.1.{++address}"), react);
                    answerers.Add(answerer);
                    return answerer;
                }
                void AnswerLater(UdpAnswerer answerer, long due, byte[] payload, IPEndPoint to) => timeline.At(due, () => answerer.Send(payload, to));

                foreach (int ms in new[] { 0, 1_500, 5_500, 10_000 })
                {
                    Answerer(FixedDelay(ms), (answerer, ping) =>
                    {
                        if (ms == 0) answerer.Send(ping.Data, ping.From);
                        else AnswerLater(answerer, ping.Timestamp + Timeline.Ticks(TimeSpan.FromMilliseconds(ms)), ping.Data, ping.From);
                    });
                }
                foreach (int k in new[] { 2, 3, 5 })
                {
                    int received = 0; // its own thread's only
                    Answerer(EveryKth(k), (answerer, ping) =>
                    {
                        if (++received % k == 0) AnswerLater(answerer, ping.Timestamp + Timeline.Ticks(AnswerAfter), ping.Data, ping.From);
                    });
                }
                var jitter = new Random(random.Next());
                Answerer(Jitter, (answerer, ping) =>
                    AnswerLater(answerer, ping.Timestamp + Timeline.Ticks(TimeSpan.FromMilliseconds(jitter.NextDouble() * 300)), ping.Data, ping.From));
                var sizes = new Random(random.Next());
                Answerer(RandomSizes, (answerer, ping) =>
                {
                    var payload = new byte[sizes.Next(1, 65)];
                    sizes.NextBytes(payload);
                    AnswerLater(answerer, ping.Timestamp + Timeline.Ticks(AnswerAfter), payload, ping.From);
                });
                // Another trigger service, or any program: its own one-second timer, at its own phase, sends our ping's
                // bytes while it has been pinged in the last 3 s. It starts with its first ping.
                long lastPinged = 0;
                double triggerPhase = random.NextDouble();
                Answerer(TriggerProgram, (answerer, ping) =>
                {
                    if (Interlocked.Exchange(ref lastPinged, ping.Timestamp) != 0) return;
                    void Tick(long due)
                    {
                        if (due - Interlocked.Read(ref lastPinged) <= Timeline.Ticks(TimeSpan.FromSeconds(3))) answerer.Send(Ping.Bytes, ping.From);
                        long next = due + Stopwatch.Frequency;
                        timeline.At(next, () => Tick(next));
                    }
                    long first = ping.Timestamp + Timeline.Ticks(TimeSpan.FromSeconds(triggerPhase));
                    timeline.At(first, () => Tick(first));
                });

                // Apps on 127.0.2.x: they send first, on their own timers, each heartbeat up to 50 ms early or late.
                var periods = new (int Seconds, string Payload)[] { (1, "00 00"), (2, "00 00"), (2, "75 61"), (2, "random"), (3, "00 00"), (3, "75 61"), (3, "random"), (5, "00 00"), (5, "75 61"), (5, "random") };
                var appClients = periods.Select((_, i) => new PingClient(IPAddress.Parse($"127.0.2.{i + 1}"))).ToList();
                clients.AddRange(appClients);

                using var forger = new ForgedDatagrams();
                start = Stopwatch.GetTimestamp();
                long end = start + Timeline.Ticks(Duration);
                foreach (var answerer in answerers) forger.Send(from: answerer.LocalEndpoint, to: service, [0x00, 0x00]);
                for (int i = 0; i < periods.Length; i++)
                {
                    var (seconds, payload) = periods[i];
                    var client = appClients[i];
                    var appRandom = new Random(random.Next());
                    long first = start + Timeline.Ticks(TimeSpan.FromSeconds(0.1 + 0.29 * i % 1)); // spread over the slots of a second
                    apps.Add((App(seconds, payload), client, first));
                    void Heartbeat(long nominal)
                    {
                        byte[] bytes = payload switch
                        {
                            "00 00" => [0x00, 0x00],
                            "75 61" => Ping.Bytes.ToArray(),
                            _ => RandomBytes(appRandom),
                        };
                        client.Heartbeat(service, bytes);
                        long next = nominal + seconds * Stopwatch.Frequency;
                        long jittered = next + Timeline.Ticks(TimeSpan.FromMilliseconds(appRandom.NextDouble() * 100 - 50));
                        if (jittered < end) timeline.At(jittered, () => Heartbeat(next));
                    }
                    timeline.At(first, () => Heartbeat(first));
                }

                await Timeline.UntilAsync(end);
                timeline.Dispose();

                var run = new Run();
                var lines = new List<string> { $"answerer loop run: {Duration.TotalSeconds:F0} s, expiry {ExpirySeconds} s, seed {seed}; time 0 is the forged datagrams" };
                foreach (var answerer in answerers)
                {
                    var pings = answerer.Received;
                    double? last = pings.Count == 0 ? null : (pings[^1].Timestamp - start) / (double)Stopwatch.Frequency;
                    var outcome = new Answerer(pings.Count, last, answerer.Sent);
                    run.Answerers[answerer.Name] = outcome;
                    run.Lines[answerer.Name] = $"  {(last >= NoPingAfterSeconds || pings.Count == 0 ? "FAIL" : "ok  ")} {answerer.Name,-45} {answerer.LocalEndpoint,-22} {outcome.Pings,4} pings, last at {last?.ToString("F1") ?? "-",5} s, {outcome.Answered} answers";
                    lines.Add(run.Lines[answerer.Name]);
                }
                foreach (var (name, client, firstHeartbeat) in apps)
                {
                    var share = PingShare.Of(client.Pings, firstHeartbeat, end, start);
                    run.Apps[name] = share;
                    double needed = name.StartsWith("app every 1 s", StringComparison.Ordinal) ? 0.97 : 0.99;
                    run.Lines[name] = $"  {(share.Share >= needed ? "ok  " : "FAIL")} {name,-45} {client.LocalEndpoint,-22} {share}";
                    lines.Add(run.Lines[name]);
                }
                run.NodeExited = node.Process.HasExited;
                run.Drops = await NodeMetrics.SummaryAsync(node);
                lines.Add($"  node at the end: {run.Drops}; timeline send errors: {timeline.Errors}");
                run.Report = string.Join('\n', lines);
                Console.WriteLine(run.Report);
                return run;
            }
            finally
            {
                timeline.Dispose();
                answerers.ForEach(answerer => answerer.Dispose());
                clients.ForEach(client => client.Dispose());
            }
        }

        private static byte[] RandomBytes(Random random)
        {
            var bytes = new byte[random.Next(1, 65)];
            random.NextBytes(bytes);
            return bytes;
        }
    }
}
