using System.Net;
using System.Text.Json.Nodes;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// The lookup in a real cluster (Redis, a silo, two standalone gateways as processes): the silo asks
/// every gateway through the reference it reports, so the phone is found at the gateway that pings it
/// with its owner record and shard; a gateway that does not answer (stopped with SIGSTOP) is named,
/// and the others' answers still come, within the timeout.
/// </summary>
public sealed class PhoneLookupClusterTests
{
    [Fact]
    public async Task A_lookup_finds_the_phone_at_the_gateway_that_pings_it_and_names_a_gateway_that_does_not_answer()
    {
        await using var cluster = await LocalCluster.StartAsync(silos: 1, ["gateway-a", "gateway-b"], expirySeconds: 60);
        using var phone = new PingClient(IPAddress.Parse("127.0.0.4"));
        phone.Heartbeat(cluster.Gateways["gateway-b"].Endpoint);
        Assert.True(await Eventually.True(() => phone.Count > 0, TimeSpan.FromSeconds(10)), "the phone was never pinged");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        string url = $"http://127.0.0.1:{cluster.DashboardPorts[0]}/status/clients?ip=127.0.0.4";

        JsonNode? json = null;
        Assert.True(await Eventually.True(async () =>
        {
            json = JsonNode.Parse(await http.GetStringAsync(url))!;
            return json["gateways"]!.AsArray().Count == 2 && json["phones"]!.AsArray().Count == 1
                && json["phones"]![0]!["owner"] is not null && json["phones"]![0]!["shard"] is not null;
        }, TimeSpan.FromSeconds(20)), json?.ToJsonString());
        var found = json!["phones"]![0]!;
        Assert.Equal(phone.LocalEndpoint.ToString(), (string?)found["client"]);
        var at = found["gateways"]!.AsArray().Single()!;
        Assert.Equal("gateway-b", (string?)at["gateway"]);
        Assert.Equal("gateway-b", (string?)found["owner"]!["gateway"]);
        Assert.Equal((int)at["shard"]!, (int)found["owner"]!["shard"]!);
        Assert.Equal("registered", (string?)at["registration"]);
        Assert.True(json["gateways"]!.AsArray().All(gateway => (bool)gateway!["answered"]!), json.ToJsonString());

        // A gateway that stops answering (its report is still fresh): named, and the lookup still answers within the timeout.
        var stopped = cluster.Gateways["gateway-a"].Process;
        stopped.Signal("STOP");
        try
        {
            var asked = System.Diagnostics.Stopwatch.StartNew();
            json = JsonNode.Parse(await http.GetStringAsync(url))!;
            Assert.InRange(asked.Elapsed.TotalSeconds, 0, 10);
            var answers = json["gateways"]!.AsArray().ToDictionary(gateway => (string)gateway!["gateway"]!, gateway => gateway!);
            Assert.False((bool)answers["gateway-a"]["answered"]!, json.ToJsonString());
            Assert.Contains("did not answer", (string?)answers["gateway-a"]["error"]);
            Assert.True((bool)answers["gateway-b"]["answered"]!, json.ToJsonString());
            Assert.Equal("gateway-b", (string?)json["phones"]![0]!["gateways"]![0]!["gateway"]);
        }
        finally
        {
            stopped.Signal("CONT");
        }
    }
}
