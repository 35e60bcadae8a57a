using System.Diagnostics;
using System.Net;
using TixTrigger.Protocol;
using TixTrigger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// Issue 14: forged datagrams cannot cost a real client its pings. Real phones heartbeat on their own
/// timers; a forger who cannot see our pings (it sees when each phone heartbeats: the strongest
/// forger short of an eavesdropper on our pings) sends datagrams from each phone's endpoint, to make
/// the echo rule's verdict on the phone for it:
/// (a) four datagrams 1 s apart and one 0.5 s after the fourth, between two of the phone's
///     heartbeats: what an echo does after a probe that moves its pings by half a second;
/// (b) bursts of ten datagrams 1 s apart at a fixed phase, then ten at random phases, in turn.
/// Each phone may lose at most one ping over a 60 s run.
/// Two nodes at once: one with the default expiry (120 s), as a deployment runs, and one with a
/// 15 s expiry. A verdict that refuses a phone's heartbeats costs it nothing until its last accepted
/// heartbeat's deadline: at 120 s, that is past the end of any run CI can afford, so only the
/// 15 s node can show such a loss within the run. The phones heartbeat every 4 s (the issue's), and
/// every third of the expiry (the original client's cadence: 40 s at 120 s, 5 s at 15 s).
/// </summary>
public sealed class EchoVerdictForgeryTests(EchoVerdictForgeryTests.Run run, ITestOutputHelper output) : IClassFixture<EchoVerdictForgeryTests.Run>
{
    [Theory]
    [InlineData(120, 'a', "00 00")]
    [InlineData(120, 'a', "75 61")]
    [InlineData(120, 'b', "00 00")]
    [InlineData(120, 'b', "75 61")]
    [InlineData(15, 'a', "00 00")]
    [InlineData(15, 'a', "75 61")]
    [InlineData(15, 'b', "00 00")]
    [InlineData(15, 'b', "75 61")]
    public void A_phone_heartbeating_every_4_s_loses_at_most_one_ping_to_datagrams_forged_from_its_endpoint(int expirySeconds, char attack, string forgedBytes) =>
        AtMostOnePingLost(new Phone(expirySeconds, 4, attack, forgedBytes));

    [Theory]
    [InlineData(120, 'a')]
    [InlineData(120, 'b')]
    [InlineData(15, 'a')]
    [InlineData(15, 'b')]
    public void A_phone_heartbeating_every_third_of_the_expiry_loses_at_most_one_ping_to_datagrams_forged_from_its_endpoint(int expirySeconds, char attack) =>
        AtMostOnePingLost(new Phone(expirySeconds, expirySeconds / 3, attack, "00 00"));

    private void AtMostOnePingLost(Phone phone)
    {
        var share = run.Shares[phone];
        output.WriteLine($"{phone}: {share}; nodes: {run.Nodes}");
        Assert.True(share.Pings > 0, $"{phone}: never pinged");
        Assert.True(share.Missed <= 1 && share.Pings >= share.Seconds - 1, $"{phone}: {share}; nodes: {run.Nodes}");
    }

    /// <summary>One phone of the run: the node's expiry, its heartbeat period, the attack on it, what the forger sends.</summary>
    public sealed record Phone(int ExpirySeconds, int PeriodSeconds, char Attack, string ForgedBytes)
    {
        public override string ToString() => $"phone every {PeriodSeconds} s, expiry {ExpirySeconds} s, attack ({Attack}), forged {ForgedBytes}";
    }

    /// <summary>The one 60 s run every test of this class reads.</summary>
    public sealed class Run : IAsyncLifetime
    {
        private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);

        public Dictionary<Phone, PingShare> Shares { get; } = [];

        public string Report { get; private set; } = "";

        /// <summary>What the two nodes counted: clients at the end, drops by reason.</summary>
        public string Nodes { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var starting = new[] { SingleNode.StartAsync(), SingleNode.StartAsync(new Dictionary<string, string> { ["CLIENT_EXPIRATION_SECONDS"] = "15" }) };
            try
            {
                await Task.WhenAll(starting);
                await Task.Run(() => RunAsync(starting[0].Result, starting[1].Result));
            }
            finally
            {
                foreach (var node in starting.Where(s => s.IsCompletedSuccessfully)) node.Result.Dispose();
            }
        }

        public Task DisposeAsync() => Task.CompletedTask;

        private async Task RunAsync(SingleNode defaultExpiry, SingleNode shortExpiry)
        {
            int seed = Environment.TickCount;
            var random = new Random(seed);
            var phones = new List<Phone>();
            foreach (int expiry in new[] { 120, 15 })
            {
                foreach (char attack in "ab")
                {
                    phones.Add(new Phone(expiry, 4, attack, "00 00"));
                    phones.Add(new Phone(expiry, 4, attack, "75 61"));
                    phones.Add(new Phone(expiry, expiry / 3, attack, "00 00"));
                }
            }
            var clients = phones.Select(_ => new PingClient()).ToList();
            var forged = new int[phones.Count];
            try
            {
                using var timeline = new Timeline();
                using var forger = new ForgedDatagrams(); // the timeline's thread is its only user
                long start = Stopwatch.GetTimestamp(), end = start + Timeline.Ticks(Duration);
                long At(double seconds) => start + Timeline.Ticks(TimeSpan.FromSeconds(seconds));
                var firstHeartbeats = new long[phones.Count];
                for (int i = 0; i < phones.Count; i++)
                {
                    var (phone, client, index) = (phones[i], clients[i], i);
                    var service = phone.ExpirySeconds == 120 ? defaultExpiry.Udp : shortExpiry.Udp;
                    byte[] forgedBytes = phone.ForgedBytes == "75 61" ? Ping.Bytes.ToArray() : [0x00, 0x00];
                    void Forge(double seconds)
                    {
                        if (seconds < Duration.TotalSeconds) timeline.At(At(seconds), () => { forger.Send(client.LocalEndpoint, service, forgedBytes); forged[index]++; });
                    }

                    // The phone: its own timer, from a start spread over the first seconds so that phones are pinged in different slots.
                    double phoneStart = 0.2 + 0.61 * i % 1 + i % 3;
                    firstHeartbeats[i] = At(phoneStart);
                    for (double t = phoneStart; t < Duration.TotalSeconds; t += phone.PeriodSeconds)
                    {
                        timeline.At(At(t), () => client.Heartbeat(service, [0x00, 0x00]));
                    }

                    if (phone.Attack == 'a')
                    {
                        // Every 12 s, five datagrams within 3.5 s, all between two of the phone's heartbeats: a heartbeat
                        // among them would break the cadence they fake.
                        for (double candidate = phoneStart + 4.25; candidate + 3.5 < Duration.TotalSeconds; candidate += 12)
                        {
                            double sincePhoneStart = candidate - phoneStart;
                            double previous = phoneStart + Math.Floor(sincePhoneStart / phone.PeriodSeconds) * phone.PeriodSeconds;
                            double begin = previous + phone.PeriodSeconds > candidate + 3.7 ? candidate : previous + phone.PeriodSeconds + 0.25;
                            foreach (double offset in new[] { 0, 1, 2, 3, 3.5 }) Forge(begin + offset);
                        }
                    }
                    else
                    {
                        // From 2 s on, in turn: ten datagrams 1 s apart at one phase, then ten at random phases.
                        double phase = random.NextDouble();
                        for (double cycle = 2; cycle < Duration.TotalSeconds; cycle += 20)
                        {
                            for (int j = 0; j < 10; j++) Forge(cycle + j + phase);
                            for (int j = 0; j < 10; j++) Forge(cycle + 10 + j + random.NextDouble());
                        }
                    }
                }

                await Timeline.UntilAsync(end);
                timeline.Dispose();

                var lines = new List<string> { $"echo verdict forgery run: {Duration.TotalSeconds:F0} s, seed {seed}" };
                for (int i = 0; i < phones.Count; i++)
                {
                    var share = PingShare.Of(clients[i].Pings, firstHeartbeats[i], end, start);
                    Shares[phones[i]] = share;
                    bool ok = share.Missed <= 1 && share.Pings >= share.Seconds - 1;
                    lines.Add($"  {(ok ? "ok  " : "FAIL")} {phones[i],-52} {clients[i].LocalEndpoint,-18} {share}; {forged[i]} forged");
                }
                foreach (var (name, node) in new[] { ("expiry 120 s", defaultExpiry), ("expiry 15 s", shortExpiry) })
                {
                    lines.Add($"  node, {name}, at the end: {await NodeMetrics.SummaryAsync(node)}");
                }
                // A node that died mid-run would fail its phones anyway; said plainly, it is not mistaken for the attack's doing.
                if (defaultExpiry.Process.HasExited || shortExpiry.Process.HasExited) throw new InvalidOperationException("a node exited during the run:\n" + string.Join('\n', lines));
                Nodes = string.Join("; ", lines.Skip(1 + phones.Count).Select(line => line.Trim()));
                Report = string.Join('\n', lines);
                Console.WriteLine(Report);
            }
            finally
            {
                clients.ForEach(client => client.Dispose());
            }
        }
    }
}
