using System.Diagnostics;
using System.Net;
using TixTrigger.Gateway;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// A flood of distinct forged sources, each one datagram, as fast as one raw socket sends them:
/// the gateway takes new clients no faster than <c>NEW_CLIENTS_PER_SECOND</c> and no more than
/// <c>MAX_CLIENTS</c>, counts every refusal by its reason, and the clients it had before keep their
/// pings on time. The forged sources' ports have sockets (<see cref="PingSinks"/>), so pinging them
/// costs what pinging an internet address does. On a silo of its own, gone with the test: the
/// 50,000 clients it registers would otherwise expire in one burst minutes later, amid other tests.
/// </summary>
public sealed class ForgedSourceFloodTests : IAsyncLifetime
{
    private readonly ClusterFixture _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private const int Sources = 200_000;
    private const int MaxClients = 50_000;

    /// <summary>Distinct addresses in 127.20.0.0/14, away from the real clients on 127.0.0.1, on the sinks' ports.</summary>
    private static IPEndPoint Source(int i, PingSinks sinks) => new(new IPAddress([127, (byte)(20 + i / 65_536), (byte)(i / 256), (byte)i]), sinks.Ports[i % sinks.Ports.Length]);

    [Fact]
    public async Task Clients_registered_before_a_flood_of_200000_forged_sources_keep_their_pings()
    {
        var options = _cluster.NewGatewayOptions(IPAddress.Loopback);
        options.MaxClients = MaxClients;
        await using var gateway = _cluster.StartGateway(options);
        using var phones = new PingFleet(1_000);
        // In ten groups a tenth of a second apart, so that they are pinged in ten slots of the second, as phones are in all of them.
        foreach (var group in phones.Clients.Chunk(phones.Clients.Count / 10))
        {
            foreach (var phone in group) phone.Heartbeat(gateway.LocalEndpoint);
            await Task.Delay(100);
        }
        Assert.True(await Eventually.True(() => phones.AllPingedSince(0), TimeSpan.FromSeconds(10)), "the real clients were not all registered");
        using var forger = new ForgedDatagrams();
        using var sinks = new PingSinks(16);
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        await Task.Delay(TimeSpan.FromSeconds(2)); // that full collection paused the gateway too (it is in this process): not the flood's doing
        using var stop = new CancellationTokenSource();
        var heartbeating = HeartbeatEvery(phones, gateway.LocalEndpoint, TimeSpan.FromSeconds(5), stop.Token);

        StallMeter.Start();
        var pausedBefore = GC.GetTotalPauseDuration();
        long lateSlotsBefore = gateway.Metrics.LateSlots, skippedBefore = gateway.Metrics.SkippedSeconds;
        long floodStart = Stopwatch.GetTimestamp();
        // The gateway's count of clients, each read with a time taken after it: admissions read late only make the bound looser.
        var counts = new List<(int Admitted, double Seconds)>();
        var flooding = Task.Run(() =>
        {
            for (int i = 0; i < Sources; i++) forger.Send(Source(i, sinks), gateway.LocalEndpoint, [0, 0]);
        });
        while (!flooding.IsCompleted)
        {
            int soFar = gateway.ClientCount - phones.Clients.Count;
            counts.Add((soFar, Stopwatch.GetElapsedTime(floodStart).TotalSeconds));
            await Task.Delay(20);
        }
        await flooding;
        var floodTook = Stopwatch.GetElapsedTime(floodStart);
        await Task.Delay(TimeSpan.FromSeconds(6));
        long end = Stopwatch.GetTimestamp();
        stop.Cancel();
        await heartbeating;

        var shares = phones.Clients.Select(phone => PingShare.Of(phone.Pings, floodStart - Stopwatch.Frequency, end, floodStart)).ToList();
        var longestGap = phones.LongestGap(floodStart, end);
        int missed = shares.Sum(share => share.Missed), due = shares.Sum(share => share.Seconds);
        var (onTime, intervals) = phones.IntervalsOnTime(floodStart, end, PingAssertions.IntervalTolerance);
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        var (onTime50, _) = phones.IntervalsOnTime(floodStart, end, TimeSpan.FromMilliseconds(50));
        var drops = Enum.GetValues<DropReason>().ToDictionary(reason => reason, gateway.Metrics.Dropped);
        long heapGrowth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        string figures = $"flood of {Sources} sent in {floodTook.TotalSeconds:F1} s; {onTime} of {intervals} intervals within ±200 ms " +
            $"({onTime50} within ±50 ms); {gateway.ClientCount} clients; drops {string.Join(", ", drops.Where(d => d.Value > 0))}; " +
            $"kernel overflows {gateway.Metrics.ReceiveOverflows}; managed heap +{heapGrowth / 1_048_576} MiB; " +
            $"slots sent over 20 ms late {gateway.Metrics.LateSlots - lateSlotsBefore}, seconds skipped {gateway.Metrics.SkippedSeconds - skippedBefore}; " +
            $"pings missed {missed} of {due} due, worst phone {shares.Max(share => share.Missed)}; longest gap {longestGap.TotalMilliseconds:F0} ms; " +
            $"stall meter: {StallMeter.Describe(floodStart, end)}; collections paused this process {paused.TotalMilliseconds:F0} ms";
        Console.WriteLine(figures);

        // The phones kept their pings: none went silent for good (a sender stuck behind the flood, as with a burst of five
        // seconds, lost them for the rest of the run), and the flood cost them at most one ping in three (a sender that skips
        // every other second loses one in two; measured: none idle, 8 % at a load of 20 on 2 cores, 19 % at 43). How close to
        // the second they came (99 % within ±200 ms, 100 % on an idle 2-core VM) is a figure for the benchmark: on a shared
        // machine it fell to 41-95 % here (the gateway is in this process, beside the forger and the silo).
        Assert.True(phones.AllPingedSince(end - 2 * Stopwatch.Frequency), $"{phones.PingedSince(end - 2 * Stopwatch.Frequency)} of {phones.Clients.Count} phones pinged in the last 2 s; " + figures);
        Assert.True(missed <= due / 3, figures);
        // New clients came no faster than NEW_CLIENTS_PER_SECOND, with a burst of one second: on any machine,
        // since each count was read before its time was.
        var tooFast = counts.Where(c => c.Admitted > options.NewClientsPerSecond * (1 + c.Seconds) + 100).ToList();
        Assert.True(tooFast.Count == 0, $"{tooFast.Count} counts over the rate, first {tooFast.FirstOrDefault()}; " + figures);
        Assert.True(gateway.ClientCount <= MaxClients, figures);
        // Every forged datagram was taken (up to MAX_CLIENTS) or dropped and counted, by the gateway or by
        // the kernel (whose count may include a few of the real clients' heartbeats).
        long admitted = gateway.ClientCount - phones.Clients.Count;
        Assert.InRange(admitted + drops.Values.Sum() + gateway.Metrics.ReceiveOverflows, Sources, Sources + 10 * phones.Clients.Count);
        // Refused by the gateway's rate on new clients and, once it was full, by its capacity (or lost in the kernel).
        Assert.True(drops[DropReason.GatewayRateLimited] + drops[DropReason.OverCapacity] + gateway.Metrics.ReceiveOverflows >= Sources - MaxClients, figures);
        // Bounded by MAX_CLIENTS: the mirror, and the in-process silo's copies, of 50,000 clients.
        Assert.True(heapGrowth < 200 * 1_048_576, figures);
    }

    private static async Task HeartbeatEvery(PingFleet fleet, IPEndPoint service, TimeSpan period, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(period, stop);
                fleet.Heartbeat(service);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
