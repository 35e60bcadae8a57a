using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway;
using TixTrigger.Gateway.Abuse;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Settings;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// The echo rule, on the mirror with a virtual clock and seeded secrets, so that every run replays
/// exactly: the sender walks its slots every 10 ms; answerers of every class start from one forged
/// datagram and then only answer our pings; apps heartbeat on their own timers; a forger who cannot
/// see our pings sends from a phone's address. Answerers stop being pinged within three expiries
/// and 10 s; apps keep their pings; the forger costs the phone none.
/// </summary>
public sealed class EchoRuleTests
{
    private static readonly PackedAddress Local = PackedAddress.From(IPAddress.Loopback);

    /// <summary>The gateway's mirror and the clients around it, one millisecond at a time.</summary>
    private sealed class Simulation
    {
        private readonly PingMirror _mirror;
        private readonly PingBatch _batch = new();
        private readonly Random _random;
        private readonly Dictionary<ClientEndpoint, Action<long>> _onPing = [];
        private readonly List<Action<long>> _timers = [];
        private readonly PriorityQueue<(ClientEndpoint Client, bool IsPing), long> _datagrams = new();
        private int _clients;

        public Simulation(int expirySeconds, int seed)
        {
            _random = new Random(seed);
            var secrets = new Random(seed * 7919 + 1);
            _mirror = new PingMirror(
                new UdpGatewayOptions { ShardsPerGateway = 2, ClientExpirationSeconds = expirySeconds, PrefixLimitsExempt = [] },
                (min, max) => secrets.Next(min, max));
        }

        public Dictionary<ClientEndpoint, List<long>> Pings { get; } = [];

        public Dictionary<ClientEndpoint, List<Admission>> Verdicts { get; } = [];

        private ClientEndpoint NewClient() => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse($"198.51.{100 + _clients / 200}.{1 + _clients % 200}"), 30_000 + ++_clients));

        public void Send(ClientEndpoint client, long atMs, bool isPing) => _datagrams.Enqueue((client, isPing), atMs);

        /// <summary>
        /// Never sends first: one datagram forged with its address at <paramref name="forgedAtMs"/>; then
        /// answers every <paramref name="everyK"/>-th ping after <paramref name="delayMs"/> plus up to <paramref name="jitterMs"/>.
        /// </summary>
        public ClientEndpoint Answerer(long forgedAtMs, int delayMs, int everyK = 1, int jitterMs = 0, bool answersWithPing = false)
        {
            var client = NewClient();
            int received = 0;
            _onPing[client] = now =>
            {
                if (++received % everyK == 0) Send(client, now + delayMs + _random.Next(jitterMs + 1), answersWithPing);
            };
            Send(client, forgedAtMs, isPing: false);
            return client;
        }

        /// <summary>Pings us every second on its own timer, with our ping's bytes, while it has been pinged in the last 3 s.</summary>
        public ClientEndpoint PingerWhilePinged(long forgedAtMs)
        {
            var client = NewClient();
            long lastPinged = long.MinValue / 2, phase = -1;
            _onPing[client] = now =>
            {
                lastPinged = now;
                if (phase < 0) phase = (now + 137) % 1000;
            };
            _timers.Add(now =>
            {
                if (phase >= 0 && now % 1000 == phase && now - lastPinged <= 3_000) Send(client, now, isPing: true);
            });
            Send(client, forgedAtMs, isPing: false);
            return client;
        }

        /// <summary>
        /// Heartbeats every <paramref name="periodMs"/> from <paramref name="firstMs"/>, each within ±<paramref name="jitterMs"/> of its timer;
        /// those sent before <paramref name="readLateUntilMs"/> reach the rule <paramref name="readLateByMs"/> late.
        /// </summary>
        public ClientEndpoint Phone(long firstMs, long periodMs, int jitterMs = 50, bool withPingBytes = false, long readLateUntilMs = 0, int readLateByMs = 0)
        {
            var client = NewClient();
            _timers.Add(now =>
            {
                if (now < firstMs || (now - firstMs) % periodMs != 0) return;
                long sent = Math.Max(now, now + _random.Next(-jitterMs, jitterMs + 1));
                Send(client, sent < readLateUntilMs ? sent + readLateByMs : sent, withPingBytes);
            });
            return client;
        }

        public void Run(long untilMs)
        {
            for (long now = 0; now < untilMs; now++)
            {
                foreach (var timer in _timers) timer(now);
                while (_datagrams.TryPeek(out var datagram, out long due) && due <= now)
                {
                    _datagrams.Dequeue();
                    var verdict = _mirror.Admit(datagram.Client, Local, datagram.IsPing, now);
                    (Verdicts.TryGetValue(datagram.Client, out var list) ? list : Verdicts[datagram.Client] = []).Add(verdict);
                }
                if (now % SlotWheel.SlotMs != 0) continue;
                _mirror.CollectSlot((int)(now / SlotWheel.SlotMs % SlotWheel.SlotCount), now, _batch);
                foreach (var target in _batch.Items)
                {
                    (Pings.TryGetValue(target.Client, out var list) ? list : Pings[target.Client] = []).Add(now);
                    if (_onPing.TryGetValue(target.Client, out var answer)) answer(now);
                }
            }
        }

        public long LastPing(ClientEndpoint client) => Pings.TryGetValue(client, out var pings) ? pings[^1] : -1;

        /// <summary>The share of the whole seconds from its first datagram + 1 s to the end that brought it a ping.</summary>
        public double KeptShare(ClientEndpoint client, long firstMs, long untilMs)
        {
            var pings = Pings.GetValueOrDefault(client) ?? [];
            long from = firstMs + 1_000;
            return Math.Min(1.0, pings.Count(ms => ms >= from) / (double)((untilMs - from) / 1000));
        }

        public List<long> Intervals(ClientEndpoint client)
        {
            var pings = Pings[client];
            return [.. pings.Zip(pings.Skip(1), (a, b) => b - a)];
        }
    }

    private const int ShortExpiry = 10;

    /// <summary>The issue's bound: three expiries and 10 s after the forged datagram.</summary>
    private const long LoopBoundMs = 3 * ShortExpiry * 1000 + 10_000;

    public static TheoryData<string, int, int, int, bool> Answerers => new()
    {
        { "at once", 2, 1, 0, false },
        { "after 1.5 s", 1_500, 1, 0, false },
        { "after 5.5 s", 5_500, 1, 0, false },
        { "after 10 s", 10_000, 1, 0, false },
        { "with the ping's bytes after 10 s", 10_000, 1, 0, true },
        { "every 2nd ping", 20, 2, 0, false },
        { "every 3rd ping", 20, 3, 0, false },
        { "every 5th ping", 20, 5, 0, false },
        { "every 5th ping with the ping's bytes", 20, 5, 0, true },
        { "with 0-300 ms of jitter", 0, 1, 300, false },
        { "with the ping's bytes and 0-300 ms of jitter", 0, 1, 300, true },
        { "after 3 s with 0-300 ms of jitter", 3_000, 1, 300, false },
    };

    [Theory]
    [MemberData(nameof(Answerers))]
    public void An_answerer_started_by_one_forged_datagram_is_pinged_no_more_after_three_expiries_and_10_s(string kind, int delayMs, int everyK, int jitterMs, bool answersWithPing)
    {
        var late = new List<string>();
        var lasts = new List<long>();
        for (int seed = 1; seed <= 25; seed++)
        {
            var simulation = new Simulation(ShortExpiry, seed);
            long forgedAt = 1_000 + seed * 37;
            var answerer = simulation.Answerer(forgedAt, delayMs, everyK, jitterMs, answersWithPing);
            simulation.Run(untilMs: 90_000);
            long last = simulation.LastPing(answerer) - forgedAt;
            lasts.Add(last);
            if (last > LoopBoundMs) late.Add($"seed {seed}: last ping {last} ms after the forged datagram");
        }
        Console.WriteLine($"an answerer {kind}: last pings at {string.Join(", ", lasts)} ms after the forged datagram");
        Assert.True(late.Count == 0, $"an answerer {kind}: {string.Join("; ", late)}");
    }

    [Fact]
    public void A_program_pinging_us_every_second_while_we_ping_it_is_a_trigger_and_its_pings_end()
    {
        for (int seed = 1; seed <= 10; seed++)
        {
            var simulation = new Simulation(ShortExpiry, seed);
            var pinger = simulation.PingerWhilePinged(forgedAtMs: 500 + seed * 91);
            simulation.Run(untilMs: 70_000);
            Assert.InRange(simulation.LastPing(pinger), 0, LoopBoundMs);
            Assert.Contains(Admission.Refused(DropReason.Trigger), simulation.Verdicts[pinger]);
        }
    }

    /// <summary>A forger sends our ping's bytes from phones' addresses, like another trigger: the phones' own heartbeats lift the verdict.</summary>
    [Theory]
    [InlineData(500)]
    [InlineData(1_000)]
    public void Our_ping_s_bytes_forged_from_a_phone_s_address_cost_it_no_ping(int forgedEveryMs)
    {
        for (int seed = 1; seed <= 10; seed++)
        {
            var simulation = new Simulation(ShortExpiry, seed);
            var phone = simulation.Phone(firstMs: 1_000 + seed * 97, periodMs: 3_000, jitterMs: 20);
            var original = simulation.Phone(firstMs: 1_500 + seed * 89, periodMs: 3_000, jitterMs: 20, withPingBytes: true);
            for (long at = 5_000; at < 80_000; at += forgedEveryMs)
            {
                simulation.Send(phone, at, isPing: true);
                simulation.Send(original, at + 250, isPing: true);
            }
            simulation.Run(90_000);

            // The forged stream can make them look like clients sending every second, tested with a jump: an early ping, none lost.
            Assert.All(new[] { phone, original }, client => Assert.All(simulation.Intervals(client), ms => Assert.True(ms <= 1_050, $"seed {seed}: an interval of {ms} ms")));
        }
    }

    [Theory]
    [InlineData(ShortExpiry)]
    [InlineData(120)]
    public void Apps_on_their_own_timers_keep_their_pings_and_only_the_one_second_ones_see_an_odd_interval(int expirySeconds)
    {
        const long RunMs = 400_000;
        for (int seed = 1; seed <= 5; seed++)
        {
            var simulation = new Simulation(expirySeconds, seed);
            var apps = new List<(ClientEndpoint Client, long FirstMs, long PeriodMs)>();
            foreach (long period in new long[] { 1_000, 2_000, 2_500, 3_000, 5_000 })
            {
                foreach (bool pingBytes in period == 1_000 ? new[] { false } : new[] { false, true })
                {
                    long first = 300 + simulation.Pings.Count * 53 + apps.Count * 71;
                    apps.Add((simulation.Phone(first, period, withPingBytes: pingBytes), first, period));
                }
            }
            simulation.Run(RunMs);

            foreach (var (app, first, period) in apps)
            {
                double kept = simulation.KeptShare(app, first, RunMs);
                Assert.True(kept >= (period == 1_000 ? 0.97 : 0.99), $"seed {seed}: an app every {period} ms kept {kept:P2} of its pings");
                Assert.DoesNotContain(Admission.Refused(DropReason.Echo), simulation.Verdicts[app]);
                // A drift moves a slot 30 ms a second: no interval of an app that heartbeats every 2 s or more seldom leaves 1000 ± 50 ms.
                if (period >= 2_000) Assert.All(simulation.Intervals(app), ms => Assert.InRange(ms, 950, 1_050));
            }
        }
    }

    [Fact]
    public void Answerers_beside_apps_change_nothing_for_the_apps()
    {
        var simulation = new Simulation(ShortExpiry, seed: 42);
        var phones = Enumerable.Range(0, 20).Select(i => simulation.Phone(firstMs: 100 + i * 37, periodMs: 2_000)).ToList();
        var answerers = Enumerable.Range(0, 10).Select(i => simulation.Answerer(forgedAtMs: 500 + i * 311, delayMs: i * 1_000, jitterMs: 100)).ToList();

        simulation.Run(untilMs: 90_000);

        Assert.All(answerers, answerer => Assert.InRange(simulation.LastPing(answerer), 0, 500 + 9 * 311 + LoopBoundMs));
        Assert.All(phones, phone => Assert.All(simulation.Intervals(phone), ms => Assert.InRange(ms, 950, 1_050)));
    }

    /// <summary>
    /// A gateway too busy to read its socket stamps a phone's heartbeats late; when the backlog clears
    /// during its test, by about as much as its slot moved, the phone seems to follow our pings and is
    /// judged an echo. Its own timer then keeps that phase against the slot that no longer pings it,
    /// which proves nothing: past the longest answer delay, its next heartbeat lifts the verdict.
    /// </summary>
    [Fact]
    public void A_phone_misjudged_as_an_echo_is_pinged_again_once_no_answer_to_our_pings_can_be_on_its_way()
    {
        const long RunMs = 150_000;
        int misjudged = 0;
        for (int seed = 1; seed <= 20; seed++)
        {
            var simulation = new Simulation(ShortExpiry, seed);
            long readLateUntil = 21_000 + seed * 100;
            var phone = simulation.Phone(firstMs: 1_000, periodMs: 3_000, jitterMs: 10, readLateUntilMs: readLateUntil, readLateByMs: 450);
            simulation.Run(RunMs);

            if (!simulation.Verdicts[phone].Contains(Admission.Refused(DropReason.Echo))) continue;
            misjudged++;
            // Its pings end at its deadline and resume with its first heartbeat past the longest answer delay.
            long resumedBy = readLateUntil + ShortExpiry * 1000 + EchoRule.MaxAnswerDelayMs + 3_000;
            Assert.True(simulation.KeptShare(phone, resumedBy, RunMs) >= 0.99,
                $"seed {seed}: pings from {readLateUntil} ms at {string.Join(", ", simulation.Pings[phone].Where(ms => ms >= readLateUntil))} ms");
        }
        Console.WriteLine($"{misjudged} of 20 runs judged the phone an echo; each had its pings back within 24 s of the backlog clearing");
        Assert.True(misjudged >= 5, $"only {misjudged} of 20 runs made the misjudgement this test is about");
    }

    /// <summary>
    /// A forger who cannot see our pings sends from a phone's address: four datagrams a second apart
    /// and a fifth half a second later (what answered the old, predictable probe), then a steady
    /// stream at a fixed phase, then datagrams at random phases. The phone keeps every ping.
    /// </summary>
    [Theory]
    [InlineData(4_000, 120)]
    [InlineData(4_000, ShortExpiry)]
    [InlineData(40_000, 120)]
    public void A_forger_who_cannot_see_our_pings_costs_a_phone_no_ping(long phonePeriodMs, int expirySeconds)
    {
        const long RunMs = 300_000;
        for (int seed = 1; seed <= 10; seed++)
        {
            var simulation = new Simulation(expirySeconds, seed);
            var phone = simulation.Phone(firstMs: 1_000, phonePeriodMs, jitterMs: 20);
            var random = new Random(seed);
            for (long start = 10_000; start < RunMs - 30_000; start += 30_000)
            {
                for (int i = 0; i < 4; i++) simulation.Send(phone, start + i * 1_000, isPing: false);
                simulation.Send(phone, start + 3_500, isPing: false);
                long phase = random.Next(1000);
                for (int i = 5; i < 20; i++) simulation.Send(phone, start + i * 1_000 + phase, isPing: false);
                for (int i = 20; i < 29; i++) simulation.Send(phone, start + i * 1_000 + random.Next(1000), isPing: false);
            }
            simulation.Run(RunMs);

            var gaps = simulation.Intervals(phone).Where(ms => ms > 1_050).ToList();
            Assert.True(gaps.Count == 0, $"seed {seed}: intervals over 1050 ms: {string.Join(", ", gaps)}");
            Assert.True(simulation.KeptShare(phone, 1_000, RunMs) >= 0.999);
        }
    }
}
