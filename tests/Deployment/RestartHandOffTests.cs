using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using TixTrigger.Gateway;
using TixTrigger.Gateway.State;
using TixTrigger.Gateway.Udp;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Deployment;

/// <summary>
/// The gateway's half of a hand-over, in one process (the transport between processes is
/// gateway/Handover's, tested end to end there): the old gateway stops receiving, gives its
/// clients; the new one pings them at the old one's phase from the slot it names; the old one pings
/// every slot before it and none after. No client misses a ping or gets two in a slot, and a first
/// heartbeat sent while neither receives is taken by the new one.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RestartHandOffTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_gateway_handing_over_to_a_successor_costs_its_clients_no_ping_and_loses_no_first_heartbeat()
    {
        var options = fixture.NewGatewayOptions(IPAddress.Loopback);
        var old = fixture.StartGateway(options);
        using var fleet = new PingFleet(200);
        fleet.Heartbeat(old.LocalEndpoint);
        Assert.True(await Eventually.True(() => fleet.AllPingedSince(0), TimeSpan.FromSeconds(5)));
        await Task.Delay(TimeSpan.FromSeconds(2));
        bool refused = false;
        old.Refused += _ => refused = true;

        // Both gateways use one socket, as the two processes share one by its passed descriptor.
        var socket = new SharedDatagramSocket(old.Socket);
        using var latecomer = new PingClient();
        UdpGateway? successor = null;
        SuccessorStart? starting = null;
        var firstSlot = new TaskCompletionSource<long>();
        long start = Stopwatch.GetTimestamp();
        await old.HandOffAsync(
            (bytes, _) =>
            {
                // Neither process receives now: this first heartbeat waits in the socket for the successor.
                latecomer.Heartbeat(old.LocalEndpoint);
                successor = new UdpGateway(options, fixture.Cluster.Client, NullLoggerFactory.Instance);
                // Its start waits for the cut-over the old one picks next.
                var copy = bytes.ToArray();
                starting = new SuccessorStart(successor, socket, copy, firstSlot.Task);
                return Task.CompletedTask;
            },
            async (stopBefore, _) =>
            {
                await starting!.Ready;
                long slot = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30 / 1000;
                firstSlot.SetResult(stopBefore(slot));
            },
            CancellationToken.None);
        await starting!.Started;
        long handedOver = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(4));
        long end = Stopwatch.GetTimestamp();
        int clients = successor!.ClientCount;
        await successor.StopAsync();
        await old.StopAsync(); // closes the socket both used: in two processes, each closes its own descriptor

        var gap = fleet.LongestGap(start, end);
        Assert.True(gap < TimeSpan.FromSeconds(1.5), $"a missed ping across the hand-over: the longest gap was {gap.TotalMilliseconds:F0} ms");
        var (onTime, intervals) = fleet.IntervalsOnTime(start, end, PingAssertions.IntervalTolerance);
        Assert.True(onTime >= intervals * 0.999, $"{onTime} of {intervals} intervals on time across the hand-over");
        Assert.True(latecomer.Pings.Count >= 3, $"the heartbeat sent during the hand-over got {latecomer.Pings.Count} pings");
        Assert.Equal(201, clients);
        Assert.False(refused, "the old gateway reported a refusal after handing over");
        Console.WriteLine($"hand-over took {(handedOver - start) * 1000.0 / Stopwatch.Frequency:F0} ms; longest gap {gap.TotalMilliseconds:F0} ms; {onTime}/{intervals} on time");
    }

    [Fact]
    public async Task The_old_gateway_leaves_a_snapshot_of_the_clients_it_handed_over_for_a_successor_that_dies_before_its_first_save()
    {
        var directory = Directory.CreateTempSubdirectory("handover-state").FullName;
        try
        {
            var options = fixture.NewGatewayOptions(IPAddress.Loopback);
            options.StateDirectory = directory;
            var old = fixture.StartGateway(options);
            string path = new StateFile(directory, options.GatewayId).Path;
            using var early = new PingFleet(30);
            early.Heartbeat(old.LocalEndpoint);
            // Right after a save, new clients wait up to a second for the next: a hand-off then must not leave them out.
            Assert.True(await Eventually.True(() => Saved(path) == 30, TimeSpan.FromSeconds(10)), "the first 30 clients were never saved");
            using var late = new PingFleet(20);
            late.Heartbeat(old.LocalEndpoint);
            Assert.True(await Eventually.True(() => old.ClientCount == 50, TimeSpan.FromSeconds(5)));

            // The successor hears the cut-over and dies before it saves anything (it never starts here).
            await old.HandOffAsync((_, _) => Task.CompletedTask, (stopBefore, _) =>
            {
                stopBefore(Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30 / 1000);
                return Task.CompletedTask;
            }, CancellationToken.None);
            await old.StopAsync();

            Assert.Equal(50, Saved(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int Saved(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return GatewayStateFormat.Read(file).Count;
        }
        catch (Exception error) when (error is IOException or InvalidDataException)
        {
            return -1;
        }
    }
}
