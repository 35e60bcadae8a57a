using System.Diagnostics;
using System.Net;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// Random datagrams of every size a UDP datagram can have, from 2,000 forged sources, as fast as a
/// raw socket sends them, at the service as users run it (the single-node silo, its own process).
/// It stays up, its real clients keep their pings on time, it says what it dropped in a line or two
/// (never a line per datagram), and its memory stays bounded.
/// </summary>
public sealed class RandomFloodTests
{
    private const int Datagrams = 300_000;
    private const int SourceCount = 2_000;

    /// <summary>A third heartbeat-sized (they register their sources), a third up to an Ethernet frame, a third up to the largest.</summary>
    private static int RandomSize(Random random) => random.Next(3) switch
    {
        0 => random.Next(0, 65),
        1 => random.Next(65, 1_473),
        _ => random.Next(1_473, ForgedDatagrams.MaxPayload + 1),
    };

    private static long ResidentBytes(int pid)
    {
        string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    [Fact]
    public async Task The_service_survives_300000_random_datagrams_beside_1000_real_clients()
    {
        int port = FreePorts.Next();
        using var silo = NodeProcess.Start("silo", BuiltOutputs.Silo, new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(),
            ["DASHBOARD_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
        });
        Assert.True(await silo.WaitForOutputAsync("listening on udp", TimeSpan.FromSeconds(60)), silo.Describe());
        var service = new IPEndPoint(IPAddress.Loopback, port);
        using var phones = new PingFleet(1_000);
        foreach (var group in phones.Clients.Chunk(100))
        {
            foreach (var phone in group) phone.Heartbeat(service);
            await Task.Delay(100);
        }
        Assert.True(await Eventually.True(() => phones.AllPingedSince(0), TimeSpan.FromSeconds(10)), "the real clients were not all registered");
        using var forger = new ForgedDatagrams();
        using var sinks = new PingSinks(16);
        var random = new Random(6);
        var sources = Enumerable.Range(0, SourceCount)
            .Select(i => new IPEndPoint(new IPAddress([127, 30, (byte)(i / 250), (byte)(i % 250 + 1)]), sinks.Ports[i % sinks.Ports.Length]))
            .ToArray();
        var content = new byte[1 << 20];
        random.NextBytes(content);
        long rssBefore = ResidentBytes(silo.Id), rssPeak = rssBefore;
        int linesBefore = silo.Output.Count + silo.Errors.Count;
        using var stop = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                rssPeak = Math.Max(rssPeak, ResidentBytes(silo.Id));
                await Task.Delay(100);
            }
        });
        var heartbeating = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(5));
                phones.Heartbeat(service);
            }
        });

        long floodStart = Stopwatch.GetTimestamp();
        await Task.Run(() =>
        {
            for (int i = 0; i < Datagrams; i++)
            {
                int size = RandomSize(random);
                forger.Send(sources[random.Next(SourceCount)], service, content.AsSpan(random.Next(content.Length - size), size));
            }
        });
        var floodTook = Stopwatch.GetElapsedTime(floodStart);
        await Task.Delay(TimeSpan.FromSeconds(5));
        long end = Stopwatch.GetTimestamp();
        stop.Cancel();
        await Task.WhenAll(sampling, heartbeating);

        var (onTime, intervals) = phones.IntervalsOnTime(floodStart, end, PingAssertions.IntervalTolerance);
        var (onTime50, _) = phones.IntervalsOnTime(floodStart, end, TimeSpan.FromMilliseconds(50));
        var logged = silo.Output.Concat(silo.Errors).Skip(linesBefore).ToList();
        string figures = $"{Datagrams} random datagrams sent in {floodTook.TotalSeconds:F1} s; {onTime} of {intervals} intervals within ±200 ms " +
            $"({onTime50} within ±50 ms); RSS {rssBefore / 1_048_576} MiB before, {rssPeak / 1_048_576} MiB at most; {logged.Count} lines logged meanwhile:\n" +
            string.Join('\n', logged.Take(10));
        Console.WriteLine(figures);

        Assert.False(silo.HasExited, silo.Describe());
        Assert.True(onTime >= 0.99 * intervals, figures);
        Assert.True(rssPeak - rssBefore < 300 * 1_048_576, figures);
        // What was dropped is said once every half minute at most, and nothing failed.
        Assert.True(logged.Count <= 3, figures);
        Assert.DoesNotContain(logged, line => line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal));
    }
}
