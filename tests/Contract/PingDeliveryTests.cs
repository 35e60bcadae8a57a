using System.Diagnostics;
using System.Net;
using TixTrigger.Tests.Infrastructure;
using Xunit;

namespace TixTrigger.Tests.Contract;

[Collection(ClusterCollection.Name)]
public sealed class PingDeliveryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_client_gets_exactly_0x75_0x61_about_every_second_from_the_address_it_sent_to()
    {
        await using var gateway = fixture.StartGateway(IPAddress.Loopback);
        using var client = new PingClient();

        long sent = Stopwatch.GetTimestamp();
        client.Heartbeat(gateway.LocalEndpoint);
        await Timeline.UntilAsync(sent + Timeline.Ticks(TimeSpan.FromSeconds(5)));

        // The pings of the 4.6 s after the heartbeat, by their arrival: a wait that a loaded box ends late adds none.
        var pings = client.Pings.Where(p => p.SecondsSince(sent) <= 4.6).ToList();
        Assert.InRange(pings.Count, 4, 6);
        PingAssertions.AllExactPingsFrom(pings, gateway.LocalEndpoint);
        Assert.True(pings[0].SecondsSince(sent) < 1.0, $"first ping after {pings[0].SecondsSince(sent):F3} s");
        PingAssertions.IntervalsAboutOneSecond(pings);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(64)]
    public async Task Any_datagram_up_to_64_bytes_registers_its_sender(int size)
    {
        await using var gateway = fixture.StartGateway(IPAddress.Loopback);
        using var client = new PingClient();

        client.Heartbeat(gateway.LocalEndpoint, size);

        Assert.True(await Eventually.True(() => client.Count >= 2, TimeSpan.FromSeconds(10)), $"a {size}-byte heartbeat got {client.Count} pings");
        PingAssertions.AllExactPingsFrom(client.Pings, gateway.LocalEndpoint);
        Assert.Equal(1, gateway.Metrics.Heartbeats);
    }

    [Fact]
    public async Task Two_ports_of_one_address_are_two_clients()
    {
        var options = fixture.NewGatewayOptions(IPAddress.Loopback);
        await using var gateway = fixture.StartGateway(options);
        using var first = new PingClient();
        using var second = new PingClient();

        first.Heartbeat(gateway.LocalEndpoint);
        second.Heartbeat(gateway.LocalEndpoint);

        Assert.True(await Eventually.True(() => first.Count >= 2 && second.Count >= 2, TimeSpan.FromSeconds(10)));
        Assert.Equal(2, gateway.ClientCount);
        Assert.True(await Eventually.True(async () => await OwnedBy(options.GatewayId, first, second) == 2, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task A_thousand_clients_are_all_pinged_every_second()
    {
        await using var gateway = fixture.StartGateway(IPAddress.Loopback);
        var clients = Enumerable.Range(0, 1000).Select(_ => new PingClient()).ToList();
        try
        {
            foreach (var client in clients) client.Heartbeat(gateway.LocalEndpoint);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            long from = Stopwatch.GetTimestamp(), to = from + Timeline.Ticks(TimeSpan.FromSeconds(3));
            await Timeline.UntilAsync(to + Timeline.Ticks(TimeSpan.FromSeconds(0.5)));

            // Three seconds by the pings' arrivals, not by a wait that a loaded box may end late.
            var windows = clients.Select(client => client.Pings.Where(p => p.Timestamp >= from && p.Timestamp <= to).ToList()).ToList();
            Assert.Equal(1000, gateway.ClientCount);
            Assert.All(windows, pings => PingAssertions.AllExactPingsFrom(pings, gateway.LocalEndpoint));
            Assert.All(windows, pings => Assert.InRange(pings.Count, 2, 4));
            Assert.All(windows, PingAssertions.IntervalsAboutOneSecond);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>How many of these clients the cluster records as owned by <paramref name="gatewayId"/>.</summary>
    private async Task<int> OwnedBy(string gatewayId, params PingClient[] clients)
    {
        int owned = 0;
        foreach (var client in clients)
        {
            var endpoint = Endpoints.ClientEndpoint.From(client.LocalEndpoint);
            var owner = await fixture.Grains.GetGrain<Grains.IClientPartitionGrain>(Grains.ClientPartitions.Of(endpoint)).GetOwner(endpoint);
            if (owner?.GatewayId == gatewayId) owned++;
        }
        return owned;
    }
}
