using System.Diagnostics;
using System.Net;
using TixTrigger.Gateway;
using TixTrigger.Tests.Infrastructure;
using Xunit;

namespace TixTrigger.Tests.BadInput;

[Collection(ClusterCollection.Name)]
public sealed class OversizeDatagramTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Datagrams_over_64_bytes_never_register_and_everyone_else_keeps_their_pings()
    {
        await using var gateway = fixture.StartGateway(IPAddress.Loopback);
        using var regular = new PingClient();
        regular.Heartbeat(gateway.LocalEndpoint);
        Assert.True(await Eventually.True(() => regular.Count >= 1, TimeSpan.FromSeconds(2)));

        int[] sizes = [65, 100, 1500, 9000, 65_507];
        var abusers = sizes.Select(_ => new PingClient()).ToArray();
        try
        {
            for (int round = 0; round < 3; round++)
            {
                for (int i = 0; i < sizes.Length; i++) abusers[i].Heartbeat(gateway.LocalEndpoint, sizes[i]);
            }
            long from = Stopwatch.GetTimestamp();
            await Timeline.UntilAsync(from + Timeline.Ticks(TimeSpan.FromSeconds(3)));

            Assert.All(abusers, abuser => Assert.Equal(0, abuser.Count));
            Assert.Equal(1, gateway.ClientCount);
            Assert.Equal(3 * sizes.Length, gateway.Metrics.Dropped(DropReason.Oversize));
            // 2.5 s by the pings' arrivals, not by a wait that a loaded box may end late.
            Assert.InRange(regular.Pings.Count(p => p.Timestamp >= from && p.SecondsSince(from) <= 2.5), 2, 3);
        }
        finally
        {
            foreach (var abuser in abusers) abuser.Dispose();
        }
    }

    [Fact]
    public async Task A_source_address_cannot_register_more_clients_than_its_limit()
    {
        var options = fixture.NewGatewayOptions(IPAddress.Loopback);
        options.MaxClientsPerIp = 3;
        await using var gateway = fixture.StartGateway(options);
        var clients = Enumerable.Range(0, 5).Select(_ => new PingClient()).ToArray();
        try
        {
            foreach (var client in clients) client.Heartbeat(gateway.LocalEndpoint);
            await Task.Delay(TimeSpan.FromSeconds(2));

            Assert.Equal(3, clients.Count(c => c.Count > 0));
            Assert.Equal(2, gateway.Metrics.Dropped(DropReason.OverIpLimit));
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }
}
