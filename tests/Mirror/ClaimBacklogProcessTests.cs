using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Mirror;

/// <summary>
/// A gateway process whose cluster is unreachable (its only silo frozen with SIGSTOP: a killed one's
/// replacement would wait minutes for the dead one to be voted out, with nobody left to vote) takes a flood of forged sources:
/// nothing drains its claims, and full, it replaces stale sign-ups thousands of times a second. Its
/// claim backlog stays within its clients, its memory stays bounded, and the real phones that
/// signed up meanwhile reach the cluster once its silo is back.
/// </summary>
public sealed partial class ClaimBacklogProcessTests
{
    private const int MaxClients = 20_000;
    private const int ExpirySeconds = 10; // a forged source is stale after 5 s: the flood churns the mirror
    private const string GatewayId = "flooded";

    [GeneratedRegex(@"^tixtrigger_claims_queued\{[^}]*\}\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex ClaimsQueuedLine();

    [Fact]
    public async Task A_flood_while_the_cluster_is_away_keeps_the_backlog_bounded_and_the_real_clients_are_registered_once_it_is_back()
    {
        await using var cluster = await LocalCluster.StartAsync(silos: 1, gateways: [GatewayId], expirySeconds: ExpirySeconds,
            environment: new Dictionary<string, string> { ["MAX_CLIENTS"] = MaxClients.ToString(CultureInfo.InvariantCulture) });
        var gateway = cluster.Gateways[GatewayId];
        using var before = new PingFleet(50);
        using var during = new PingFleet(50);
        before.Heartbeat(gateway.Endpoint);
        using var stop = new CancellationTokenSource();
        var heartbeats = Task.Run(async () =>
        {
            // Every 3 s, well inside the 10 s expiry; the second fleet signs up once the cluster is gone.
            while (!stop.IsCancellationRequested)
            {
                before.Heartbeat(gateway.Endpoint);
                if (Volatile.Read(ref _signedUp)) during.Heartbeat(gateway.Endpoint);
                await Task.Delay(3_000);
            }
        });
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            await Task.Delay(TimeSpan.FromSeconds(3)); // the first fleet's claims leave while the cluster is there
            cluster.Silos[0].Signal("STOP");
            long rssBefore = ResidentBytes(gateway.Process.Id);
            Volatile.Write(ref _signedUp, true);

            using var forger = new ForgedDatagrams();
            using var sinks = new PingSinks(16);
            var random = new Random(15);
            long maxRss = rssBefore;
            double maxQueued = 0;
            int sent = 0;
            var clock = Stopwatch.StartNew();
            // 25 s at ~20,000 forged sources a second, random addresses in 127.16.0.0/12 (loopback: it stays on this machine).
            while (clock.Elapsed < TimeSpan.FromSeconds(25))
            {
                for (int i = 0; i < 2_000; i++, sent++)
                {
                    var source = new IPEndPoint(new IPAddress([127, (byte)random.Next(16, 32), (byte)random.Next(256), (byte)random.Next(1, 255)]), sinks.Ports[random.Next(sinks.Ports.Length)]);
                    forger.Send(source, gateway.Endpoint, [0, 0]);
                }
                await Task.Delay(100);
                if (clock.ElapsedMilliseconds / 1_000 != (clock.ElapsedMilliseconds - 100) / 1_000)
                {
                    maxRss = Math.Max(maxRss, ResidentBytes(gateway.Process.Id));
                    maxQueued = Math.Max(maxQueued, await ClaimsQueuedAsync(http, gateway.MetricsPort));
                }
            }
            double queuedAtEnd = await ClaimsQueuedAsync(http, gateway.MetricsPort);
            string figures = $"{sent:N0} forged in {clock.Elapsed.TotalSeconds:F0} s; claims queued: max {maxQueued:N0}, at the end {queuedAtEnd:N0}; " +
                $"gateway RSS {rssBefore / 1_048_576} MiB before, {maxRss / 1_048_576} MiB at most";
            Console.WriteLine(figures);
            Assert.True(maxQueued > 0, "the gauge never showed the backlog: " + figures);
            Assert.True(maxQueued <= MaxClients, figures);
            Assert.True(maxRss - rssBefore < 300L * 1_048_576, figures);
        }

        cluster.Silos[0].Signal("CONT");
        var client = await cluster.ConnectClientAsync();
        var phones = before.Clients.Concat(during.Clients).Select(phone => ClientEndpoint.From(phone.LocalEndpoint)).ToHashSet();
        int held = 0;
        bool all = await Eventually.True(async () =>
        {
            var members = new HashSet<ClientEndpoint>();
            try
            {
                for (int shard = 0; shard < cluster.ShardsPerGateway; shard++)
                {
                    foreach (var member in (await client.GetGrain<IPingShardGrain>(ShardKey.Format(GatewayId, shard)).GetSnapshot()).Members) members.Add(member.Client);
                }
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                return false; // the new silo is still joining
            }
            held = phones.Count(members.Contains);
            return held == phones.Count;
        }, TimeSpan.FromSeconds(90));
        stop.Cancel();
        await heartbeats;
        Assert.True(all, $"the new silo's shards hold {held} of the {phones.Count} real clients\n{cluster.Describe()}");
    }

    private bool _signedUp;

    private static async Task<double> ClaimsQueuedAsync(HttpClient http, int port)
    {
        try
        {
            var match = ClaimsQueuedLine().Match(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"));
            return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
        catch (TaskCanceledException)
        {
            return 0;
        }
    }

    private static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }
}
