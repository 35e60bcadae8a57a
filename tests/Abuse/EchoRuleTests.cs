using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Settings;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// The echo rule, on the mirror with a virtual clock: the sender walks its slots every 10 ms, a
/// reflector answers each ping after its round trip, phones heartbeat on their own timers. A
/// reflector stops being refreshed; a phone, whatever its period, never does.
/// </summary>
public sealed class EchoRuleTests
{
    private const int ExpirySeconds = 5;
    private static readonly PackedAddress Local = PackedAddress.From(IPAddress.Loopback);

    /// <summary>The gateway's mirror and the clients around it, one millisecond at a time.</summary>
    private sealed class Simulation(int expirySeconds = ExpirySeconds)
    {
        private readonly PingMirror _mirror = new(new UdpGatewayOptions { ShardsPerGateway = 2, ClientExpirationSeconds = expirySeconds });
        private readonly PingBatch _batch = new();
        private readonly Dictionary<ClientEndpoint, int> _reflectors = [];
        private readonly List<(ClientEndpoint Client, long FirstMs, long PeriodMs)> _phones = [];
        private readonly PriorityQueue<ClientEndpoint, long> _datagrams = new();
        private int _clients;

        public Dictionary<ClientEndpoint, List<long>> Pings { get; } = [];

        public Dictionary<ClientEndpoint, List<Admission>> Verdicts { get; } = [];

        private ClientEndpoint NewClient() => ClientEndpoint.From(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 30_000 + ++_clients));

        /// <summary>Sends one datagram at <paramref name="startMs"/>, then answers every ping <paramref name="roundTripMs"/> after it.</summary>
        public ClientEndpoint Reflector(long startMs, int roundTripMs)
        {
            var client = NewClient();
            _reflectors[client] = roundTripMs;
            _datagrams.Enqueue(client, startMs);
            return client;
        }

        public ClientEndpoint Phone(long firstMs, long periodMs)
        {
            var client = NewClient();
            _phones.Add((client, firstMs, periodMs));
            return client;
        }

        public void Run(long untilMs)
        {
            for (long now = 0; now < untilMs; now++)
            {
                foreach (var (client, first, period) in _phones)
                {
                    if (now >= first && (now - first) % period == 0) _datagrams.Enqueue(client, now);
                }
                while (_datagrams.TryPeek(out var client, out long due) && due <= now)
                {
                    _datagrams.Dequeue();
                    (Verdicts.TryGetValue(client, out var list) ? list : Verdicts[client] = []).Add(_mirror.Admit(client, Local, now));
                }
                if (now % SlotWheel.SlotMs != 0) continue;
                _mirror.CollectSlot((int)(now / SlotWheel.SlotMs % SlotWheel.SlotCount), now, _batch);
                foreach (var target in _batch.Items)
                {
                    (Pings.TryGetValue(target.Client, out var list) ? list : Pings[target.Client] = []).Add(now);
                    if (_reflectors.TryGetValue(target.Client, out int roundTrip)) _datagrams.Enqueue(target.Client, now + roundTrip);
                }
            }
        }
    }

    private static List<long> Intervals(List<long> pings) => [.. pings.Zip(pings.Skip(1), (a, b) => b - a)];

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(300)]
    [InlineData(2_300)]
    public void A_reflector_is_refreshed_no_more_once_found_out_and_its_pings_end(int roundTripMs)
    {
        var simulation = new Simulation();
        var reflector = simulation.Reflector(startMs: 1_234, roundTripMs);

        simulation.Run(untilMs: 40_000);

        var pings = simulation.Pings[reflector];
        // Found out within a few seconds (farther ones take longer), pinged until the expiry, then never again.
        Assert.InRange(pings[^1], 5_000, 5_000 + ExpirySeconds * 1000 + roundTripMs + 5_000);
        Assert.Contains(Admission.Echo, simulation.Verdicts[reflector]);
        Assert.DoesNotContain(Admission.Added, simulation.Verdicts[reflector].Skip(1)); // no answer registered it again
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(2_000)]
    [InlineData(5_000)]
    [InlineData(40_000)]
    public void A_phone_on_a_precise_timer_is_pinged_every_second_whatever_its_period(long periodMs)
    {
        var simulation = new Simulation(expirySeconds: 120);
        var phone = simulation.Phone(firstMs: 333, periodMs);

        simulation.Run(untilMs: 90_000);

        var intervals = Intervals(simulation.Pings[phone]);
        Assert.DoesNotContain(Admission.Echo, simulation.Verdicts[phone]);
        Assert.True(simulation.Pings[phone][^1] > 89_000, "its pings ended");
        // A phone heartbeating every second is tested once: one interval of half or one and a half seconds. Slower ones never.
        int odd = intervals.Count(ms => ms != 1_000);
        Assert.Equal(periodMs == 1_000 ? 1 : 0, odd);
        Assert.All(intervals, ms => Assert.Contains(ms, new long[] { 500, 1_000, 1_500 }));
    }

    [Fact]
    public void A_phone_is_tested_once_in_its_life()
    {
        var simulation = new Simulation(expirySeconds: 120);
        var phone = simulation.Phone(firstMs: 777, periodMs: 1_000);

        simulation.Run(untilMs: 300_000);

        Assert.Equal(1, Intervals(simulation.Pings[phone]).Count(ms => ms != 1_000));
    }

    [Fact]
    public void A_reflector_beside_phones_changes_nothing_for_them()
    {
        var simulation = new Simulation();
        var phones = Enumerable.Range(0, 20).Select(i => simulation.Phone(firstMs: 100 + i * 37, periodMs: 2_000)).ToList();
        var reflector = simulation.Reflector(startMs: 500, roundTripMs: 2);

        simulation.Run(untilMs: 30_000);

        Assert.True(simulation.Pings[reflector][^1] < 15_000);
        Assert.All(phones, phone => Assert.All(Intervals(simulation.Pings[phone]), ms => Assert.Equal(1_000, ms)));
    }
}
