using System.Diagnostics;
using System.Net;
using TixTrigger.Gateway.Abuse;
using TixTrigger.Tests.Infrastructure;
using Xunit;

namespace TixTrigger.Tests.Expiry;

[Collection(ClusterCollection.Name)]
public sealed class ExpiryTests(ClusterFixture fixture)
{
    private const int ExpirySeconds = 3;

    [Fact]
    public async Task A_silent_client_is_pinged_until_its_deadline_and_not_after()
    {
        await using var gateway = fixture.StartGateway(IPAddress.Loopback, ExpirySeconds);
        using var client = new PingClient();

        long heartbeat = Stopwatch.GetTimestamp();
        client.Heartbeat(gateway.LocalEndpoint);
        await Task.Delay(TimeSpan.FromSeconds(ExpirySeconds + 3));

        var pings = client.Pings;
        Assert.InRange(pings.Count, ExpirySeconds - 1, ExpirySeconds + 1);
        double last = pings[^1].SecondsSince(heartbeat);
        Assert.True(last <= ExpirySeconds + 1.0, $"last ping {last:F3} s after the only heartbeat; expiry is {ExpirySeconds} s");
        Assert.True(last >= ExpirySeconds - 1.2, $"pings stopped early, at {last:F3} s");
        // Kept, unpinged, while answers to its last pings could still arrive (the echo rule), then removed.
        Assert.True(await Eventually.True(() => gateway.ClientCount == 0, TimeSpan.FromMilliseconds(EchoRule.LingerMs + 3_000)), "the expired client was not removed from the mirror");
    }

    [Fact]
    public async Task A_refreshed_client_outlives_the_expiry_and_then_stops()
    {
        await using var gateway = fixture.StartGateway(IPAddress.Loopback, ExpirySeconds);
        using var client = new PingClient();

        long start = Stopwatch.GetTimestamp();
        long lastHeartbeat = start;
        for (int i = 0; i < 4; i++)
        {
            lastHeartbeat = Stopwatch.GetTimestamp();
            client.Heartbeat(gateway.LocalEndpoint);
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        await Task.Delay(TimeSpan.FromSeconds(ExpirySeconds + 1));

        var pings = client.Pings;
        double lastPing = (pings[^1].Timestamp - lastHeartbeat) / (double)Stopwatch.Frequency;
        Assert.True(pings.Count >= 8, $"only {pings.Count} pings over {(Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency:F1} s of a refreshed client");
        Assert.InRange(lastPing, ExpirySeconds - 1.2, ExpirySeconds + 1.0);
        PingAssertions.IntervalsAboutOneSecond(pings);
    }
}
