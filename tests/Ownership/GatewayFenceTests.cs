using System.Diagnostics;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Ownership;

/// <summary>
/// One live process per GATEWAY_ID: a second one elsewhere is refused and says why, without a missed
/// ping to the first one's clients; a gateway that crashed is taken over by its restart.
/// </summary>
public sealed class GatewayFenceTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(silos: 1, gateways: ["a"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_second_process_with_the_same_GATEWAY_ID_is_refused_in_one_line_while_the_first_ones_clients_miss_no_ping()
    {
        var original = _cluster.Gateways["a"];
        using var phones = new PingFleet(300);
        phones.Heartbeat(original.Endpoint);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(client, "a") == 300, TimeSpan.FromSeconds(15)));
        await Task.Delay(TimeSpan.FromSeconds(2));

        long start = Stopwatch.GetTimestamp();
        var duplicate = await _cluster.StartGatewayAsync("a");
        lock (_cluster.Gateways) _cluster.Gateways["a"] = original;
        int exitCode = await duplicate.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3));
        long end = Stopwatch.GetTimestamp();

        Assert.Equal(1, exitCode);
        var why = duplicate.Process.Output.Where(line => line.Contains("GATEWAY_ID a is held by another live process", StringComparison.Ordinal)).ToList();
        Assert.True(why.Count == 1, $"the refusal, in one line naming GATEWAY_ID:\n{duplicate.Process.Describe()}");
        var (onTime, intervals) = phones.IntervalsOnTime(start, end, PingAssertions.IntervalTolerance);
        Assert.True(onTime >= intervals * 0.999, $"{onTime} of {intervals} intervals on time while a duplicate ran");
        Assert.True(phones.LongestGap(start, end) < TimeSpan.FromSeconds(1.5), $"a missed ping: the longest gap was {phones.LongestGap(start, end)}");
        Assert.Equal(300, await _cluster.MembersOfAsync(client, "a"));
        Assert.Equal(0, phones.Clients.Count(c => c.Pings.Any(p => p.Timestamp > start && p.From.Port == duplicate.Port)));
    }

    [Fact]
    public async Task A_gateway_killed_and_started_again_elsewhere_under_its_GATEWAY_ID_pings_its_clients_within_15_s_without_heartbeats()
    {
        var original = _cluster.Gateways["a"];
        using var phones = new PingFleet(100);
        phones.Heartbeat(original.Endpoint);
        var client = await _cluster.ConnectClientAsync();
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(client, "a") == 100, TimeSpan.FromSeconds(15)));

        original.Process.Kill();
        // Another port: the dead process's lease must run out before the new one holds the id.
        long start = Stopwatch.GetTimestamp();
        var restarted = await _cluster.StartGatewayAsync("a");
        Assert.True(await Eventually.True(() => phones.Clients.All(c => c.Pings.Any(p => p.Timestamp > start && p.From.Port == restarted.Port)), TimeSpan.FromSeconds(15)),
            $"{phones.Clients.Count(c => !c.Pings.Any(p => p.Timestamp > start && p.From.Port == restarted.Port))} of 100 not pinged again within 15 s\n{_cluster.Describe()}");
    }
}
