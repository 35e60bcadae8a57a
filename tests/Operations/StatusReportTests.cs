using System.Net;
using TixTrigger.Grains;
using TixTrigger.Status;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// What the status page shows comes from the gateways' own reports: a running gateway appears
/// with its clients and pings/s within an announcement or two, and one that stops disappears.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StatusReportTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_reporting_gateway_shows_its_clients_and_pings_and_disappears_when_it_stops_reporting()
    {
        await using var gateway = fixture.StartGateway(IPAddress.Loopback);
        using var fleet = new PingFleet(15);
        fleet.Heartbeat(gateway.LocalEndpoint);
        var status = fixture.Grains.GetGrain<IGatewayRegistryGrain>(0);
        string id = gateway.Metrics.GatewayId;

        // 15 clients are 15 pings/s. One 2 s window can read high once, as when slots the sender sent late
        // after a stall of the test process (seen once: 20.01/s) land in the next window. A report
        // that stays out of range (a ping counted twice, a wrong window) fails.
        GatewayReportAge[] reports = [];
        static bool Shows15Clients(GatewayReport report) => report.Clients == 15 && report.PingsPerSecond is > 10 and <= 20;
        Assert.True(await Eventually.True(async () =>
        {
            reports = await status.GetReports();
            return reports.Any(r => r.Report.GatewayId == id && Shows15Clients(r.Report));
        }, TimeSpan.FromSeconds(8)), $"no report of 15 clients at 10-20 pings/s: {string.Join("; ", reports.Select(r => r.Report))}");
        var report = reports.Single(r => r.Report.GatewayId == id).Report;
        Assert.InRange(report.PingsPerSecond, 10, 20);
        Assert.Equal(gateway.LocalEndpoint.ToString(), report.UdpEndpoint);
        Assert.Equal(0, report.Drops["Oversize"]);

        // Its report comes with its announcement: a stopped gateway reports no more.
        await gateway.StopAsync();

        Assert.True(await Eventually.True(async () => (await status.GetReports()).All(r => r.Report.GatewayId != id), TimeSpan.FromSeconds(20)),
            "the report of a gateway that stopped reporting never expired");
    }
}
