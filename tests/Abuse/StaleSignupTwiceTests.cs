using System.Diagnostics;
using System.Net;
using TixTrigger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// Issue 14: forged datagrams cannot hold a full gateway full. A forger who sends each source twice,
/// a second apart, makes every source look like a client that heartbeated twice. Once the sources go
/// quiet, real new clients must get in long before the sources expire: within half the expiry and
/// a heartbeat or so. A single node with MAX_CLIENTS=300 and a 20 s expiry, filled by 300 forged
/// sources; 20 real phones heartbeating every 2 s from the moment the forger stops.
/// </summary>
public sealed class StaleSignupTwiceTests(ITestOutputHelper output)
{
    private const int MaxClients = 300;
    private const int ExpirySeconds = 20;
    private const int Phones = 20;
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(2);

    /// <summary>Half the expiry, then a heartbeat (2 s) and a second for the first ping.</summary>
    private static readonly TimeSpan FirstPingWithin = TimeSpan.FromSeconds(ExpirySeconds / 2.0 + 3);

    /// <summary>Distinct addresses in 127.30.0.0/16, away from the phones on 127.0.0.1, on the sinks' ports.</summary>
    private static IPEndPoint Source(int i, PingSinks sinks) => new(new IPAddress([127, 30, (byte)(i / 256), (byte)i]), sinks.Ports[i % sinks.Ports.Length]);

    [Fact]
    public async Task New_clients_get_into_a_gateway_filled_with_sources_forged_twice_within_13_s_of_the_sources_going_quiet()
    {
        // The per-network rules stay off for loopback (the default): only MAX_CLIENTS and the stale sign-ups are tried here.
        using var node = await SingleNode.StartAsync(new Dictionary<string, string>
        {
            ["MAX_CLIENTS"] = MaxClients.ToString(),
            ["CLIENT_EXPIRATION_SECONDS"] = ExpirySeconds.ToString(),
        });
        using var sinks = new PingSinks(16);
        using var forger = new ForgedDatagrams();
        using var phones = new PingFleet(Phones);
        using var timeline = new Timeline();

        for (int i = 0; i < MaxClients; i++) forger.Send(Source(i, sinks), node.Udp, [0x00, 0x00]);
        await Task.Delay(TimeSpan.FromSeconds(1));
        for (int i = 0; i < MaxClients; i++) forger.Send(Source(i, sinks), node.Udp, [0x00, 0x00]);
        long quiet = Stopwatch.GetTimestamp();
        var full = await NodeMetrics.ScrapeAsync(node);

        // From now on, each phone heartbeats every 2 s, the phones a tenth of a second apart.
        long end = quiet + Timeline.Ticks(TimeSpan.FromSeconds(ExpirySeconds + 4));
        foreach (var (phone, i) in phones.Clients.Select((phone, i) => (phone, i)))
        {
            for (long due = quiet + Timeline.Ticks(TimeSpan.FromMilliseconds(100 * i)); due < end; due += Timeline.Ticks(HeartbeatPeriod))
            {
                timeline.At(due, () => phone.Heartbeat(node.Udp));
            }
        }
        // Until every phone has been pinged, or the sources have expired anyway: past the bound, the run only says how late they got in.
        await Eventually.True(() => phones.AllPingedSince(quiet) || Stopwatch.GetTimestamp() > end, TimeSpan.FromSeconds(ExpirySeconds + 5));
        var after = await NodeMetrics.TryScrapeAsync(node);

        var firstPings = phones.Clients
            .Select(phone => phone.Pings.Select(p => (double?)p.SecondsSince(quiet)).FirstOrDefault())
            .ToList();
        string figures = $"{MaxClients} sources forged twice, 1 s apart, then quiet; expiry {ExpirySeconds} s; clients when full: {full.Clients}\n" +
            $"  first ping of each phone, in seconds after the sources went quiet (bound {FirstPingWithin.TotalSeconds:F0} s): " +
            string.Join(", ", firstPings.Select(s => s?.ToString("F1") ?? "none")) + "\n" +
            $"  node at the end: {(after.Metrics is null ? after.Problem : $"{after.Metrics.Clients} clients, stale sign-ups replaced {after.Metrics.Sum("tixtrigger_stale_signups_replaced_total")}, drops: {after.Metrics.Drops()}")}";
        output.WriteLine(figures);
        Console.WriteLine(figures);

        Assert.False(node.Process.HasExited, "the node exited during the run\n" + figures);
        Assert.True(full.Clients >= MaxClients, "the forged sources did not fill the gateway: the test proves nothing\n" + figures);
        Assert.True(firstPings.All(first => first <= FirstPingWithin.TotalSeconds), figures);
    }
}
