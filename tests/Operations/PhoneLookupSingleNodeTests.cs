using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>
/// "My phone is not woken": the status page's search box, in a real browser, and /status/clients as
/// JSON, on a real single node behind the dashboard login. A phone shows the gateway and shard that
/// hold it, since when, its last heartbeat, its deadline and its pings; a source the gateway refused
/// shows the rule that refused it; without the login, neither is served.
/// </summary>
public sealed partial class PhoneLookupSingleNodeTests : IClassFixture<PhoneLookupSingleNodeTests.Node>
{
    private const string Password = "lookup-password-1";
    private const string GatewayId = "lookup-node";
    private const int ExpirySeconds = 60;

    /// <summary>One node for the class (a start costs seconds on a shared host): logins on, one client per address.</summary>
    public sealed class Node : IAsyncLifetime
    {
        public SingleNode Process { get; private set; } = null!;

        public async Task InitializeAsync() => Process = await SingleNode.StartAsync(new Dictionary<string, string>
        {
            ["DASHBOARD_PASSWORD"] = Password,
            ["GATEWAY_ID"] = GatewayId,
            ["CLIENT_EXPIRATION_SECONDS"] = ExpirySeconds.ToString(CultureInfo.InvariantCulture),
            ["MAX_CLIENTS_PER_IP"] = "1",
        });

        public Task DisposeAsync()
        {
            Process.Dispose();
            return Task.CompletedTask;
        }
    }

    private readonly SingleNode _node;

    public PhoneLookupSingleNodeTests(Node node) => _node = node.Process;

    private static string Login => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{Password}"));

    [Fact]
    public async Task Typing_a_phone_into_the_search_box_shows_its_gateway_deadline_and_last_heartbeat_and_the_json_agrees()
    {
        using var phone = new PingClient(IPAddress.Parse("127.0.0.2"));
        var firstHeartbeat = DateTimeOffset.UtcNow;
        phone.Heartbeat(_node.Udp);
        Assert.True(await Eventually.True(() => phone.Count > 0, TimeSpan.FromSeconds(10)), "the phone was never pinged");
        await Task.Delay(1500);
        var lastHeartbeat = DateTimeOffset.UtcNow;
        phone.Heartbeat(_node.Udp);
        string port = phone.LocalEndpoint.Port.ToString(CultureInfo.InvariantCulture);
        // The gateway's first report (after 2 s) carries the reference the lookup asks it through; the
        // receiving thread may take the second heartbeat a moment after the request.
        var json = await LookUpUntilAsync("127.0.0.2", port, found => found["phones"]![0]!["gateways"]!.AsArray().Count == 1
            && Time(found["phones"]![0]!["gateways"]![0]!["lastHeartbeat"]) > firstHeartbeat.AddSeconds(1));

        var phoneJson = json["phones"]![0]!;
        var at = phoneJson["gateways"]![0]!;
        Assert.Equal($"127.0.0.2:{port}", (string?)phoneJson["client"]);
        Assert.Equal(GatewayId, (string?)at["gateway"]);
        int shard = (int)at["shard"]!;
        AssertNear(firstHeartbeat, Time(at["since"]), "since");
        AssertNear(lastHeartbeat, Time(at["lastHeartbeat"]), "last heartbeat");
        AssertNear(lastHeartbeat.AddSeconds(ExpirySeconds), Time(at["deadline"]), "deadline");
        Assert.True((bool)at["pinged"]!);
        Assert.InRange((long)at["pingsSent"]!, 1, 10);
        Assert.Equal("watching", (string?)at["echoRule"]);
        Assert.Equal("registered", (string?)at["registration"]);
        // The cluster's side: the client partition names the owner, its shard grain holds the member (a deadline that may lag).
        Assert.Equal(GatewayId, (string?)phoneJson["owner"]!["gateway"]);
        Assert.Equal(shard, (int)phoneJson["owner"]!["shard"]!);
        Assert.Equal(shard, (int)phoneJson["shard"]!["shard"]!);
        Assert.InRange(Time(phoneJson["shard"]!["deadline"]), firstHeartbeat.AddSeconds(ExpirySeconds - 1), lastHeartbeat.AddSeconds(ExpirySeconds + 1));
        Assert.True(json["gateways"]!.AsArray().All(gateway => (bool)gateway!["answered"]!), json.ToJsonString());

        await using var page = await ChromiumPage.OpenAsync(_node.Url("/status"), new Dictionary<string, string> { ["Authorization"] = Login });
        await page.TypeAsync("#lookup-ip", "127.0.0.2");
        await page.TypeAsync("#lookup-port", port);
        await page.PressEnterAsync();
        await page.WaitForAsync("location.search.includes('ip=') && document.querySelector('#lookup-result .lookup-client .gateway')");
        await page.ScreenshotAsync(Path.Combine(Path.GetTempPath(), "tixtrigger-phone-lookup.png"));

        Assert.Equal(GatewayId, await page.TextAsync("#lookup-result .lookup-client .gateway"));
        Assert.Equal($"127.0.0.2:{port}", await page.TextAsync("#lookup-result .lookup-client .client"));
        Assert.Equal(shard.ToString(CultureInfo.InvariantCulture), await page.TextAsync("#lookup-result .lookup-client .shard"));
        // As the browser shows them: a clock time and how far from now; the JSON's, to the second.
        AssertShown(Time(at["deadline"]), await page.TextAsync("#lookup-result .lookup-client .deadline"), "deadline");
        AssertShown(Time(at["lastHeartbeat"]), await page.TextAsync("#lookup-result .lookup-client .last-heartbeat"), "last heartbeat");
        Assert.Contains("in ", await page.TextAsync("#lookup-result .lookup-client .deadline"));
        Assert.Contains(GatewayId, await page.TextAsync("#lookup-result .lookup-client .owner"));
        Assert.Equal("127.0.0.2", (await page.EvaluateAsync("document.getElementById('lookup-ip').value"))?.GetValue<string>());
    }

    [Fact]
    public async Task A_source_refused_by_the_cap_per_address_shows_its_drop_reason_in_the_browser_and_as_json()
    {
        using var admitted = new PingClient(IPAddress.Parse("127.0.0.3"));
        using var refused = new PingClient(IPAddress.Parse("127.0.0.3"));
        admitted.Heartbeat(_node.Udp);
        Assert.True(await Eventually.True(() => admitted.Count > 0, TimeSpan.FromSeconds(10)), "the first client was never pinged");
        for (int i = 0; i < 3; i++) refused.Heartbeat(_node.Udp); // MAX_CLIENTS_PER_IP=1: each is dropped as OverIpLimit

        var json = await LookUpUntilAsync("127.0.0.3", null, found => found["refusals"]!.AsArray().Count > 0 && found["phones"]!.AsArray().Count > 0);
        var refusal = json["refusals"]!.AsArray().Single()!;
        Assert.Equal(refused.LocalEndpoint.ToString(), (string?)refusal["client"]);
        Assert.Equal("OverIpLimit", (string?)refusal["reason"]);
        Assert.Equal(3, (long)refusal["count"]!);
        Assert.Equal(GatewayId, (string?)refusal["gateway"]);
        Assert.Equal(admitted.LocalEndpoint.ToString(), (string?)json["phones"]!.AsArray().Single()!["client"]);
        Assert.Equal(0, refused.Count);

        await using var page = await ChromiumPage.OpenAsync(_node.Url("/status"), new Dictionary<string, string> { ["Authorization"] = Login });
        await page.TypeAsync("#lookup-ip", "127.0.0.3");
        await page.PressEnterAsync();
        await page.WaitForAsync("document.querySelector('#lookup-refusals .lookup-refusal')");
        Assert.Equal(refused.LocalEndpoint.ToString(), await page.TextAsync("#lookup-refusals .lookup-refusal .client"));
        Assert.Equal("OverIpLimit", await page.TextAsync("#lookup-refusals .lookup-refusal .reason"));
        Assert.Equal("3", await page.TextAsync("#lookup-refusals .lookup-refusal .count"));
        Assert.Equal(admitted.LocalEndpoint.ToString(), await page.TextAsync("#lookup-result .lookup-client .client"));
    }

    [Fact]
    public async Task Another_trigger_pinging_us_shows_the_echo_rules_verdict_and_its_refusals()
    {
        using var trigger = new PingClient(IPAddress.Parse("127.0.0.5"));
        byte[] ping = [0x75, 0x61];
        using var http = LoggedIn();
        string url = _node.Url($"/status/clients?ip=127.0.0.5&port={trigger.LocalEndpoint.Port.ToString(CultureInfo.InvariantCulture)}");
        // Our ping's bytes a second apart (on an absolute schedule): another trigger, never refreshed. A
        // stalled host breaks the streak (an interval past 1.1 s lifts the verdict) and the next five
        // make it again, so the sending stops only once the lookup has shown the verdict with its refusal.
        var start = System.Diagnostics.Stopwatch.StartNew();
        JsonNode? seen = null;
        for (int i = 0; i < 25 && seen is null; i++)
        {
            var due = TimeSpan.FromSeconds(i);
            if (start.Elapsed < due) await Task.Delay(due - start.Elapsed);
            trigger.Heartbeat(_node.Udp, ping);
            if (i < 4) continue;
            var next = TimeSpan.FromSeconds(i + 1) - TimeSpan.FromMilliseconds(100);
            do
            {
                var json = JsonNode.Parse(await http.GetStringAsync(url))!;
                var gateways = json["phones"]!.AsArray().FirstOrDefault()?["gateways"]?.AsArray();
                if (json["refusals"]!.AsArray().Count > 0 && gateways is [var held, ..] && (string?)held!["echoRule"] == "trigger") seen = json;
                else await Task.Delay(50);
            }
            while (seen is null && start.Elapsed < next);
        }
        Assert.True(seen is not null, "the lookup never showed the trigger verdict with its refusal");
        var refusal = seen["refusals"]!.AsArray().Single()!;
        Assert.Equal("Trigger", (string?)refusal["reason"]);
        Assert.True((long)refusal["count"]! >= 1);
    }

    [Fact]
    public async Task Without_the_login_the_lookup_is_refused_and_a_query_that_is_no_address_is_a_bad_request()
    {
        using var anonymous = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (string path in new[] { "/status/clients?ip=127.0.0.2", "/status?ip=127.0.0.2&port=4000" })
        {
            using var denied = await anonymous.GetAsync(_node.Url(path));
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.DoesNotContain("127.0.0.2", await denied.Content.ReadAsStringAsync());
        }
        using var http = LoggedIn();
        using var bad = await http.GetAsync(_node.Url("/status/clients?ip=phone&port=1"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'phone' is not an IPv4 or IPv6 address", await bad.Content.ReadAsStringAsync());
        using var badPort = await http.GetAsync(_node.Url("/status/clients?ip=127.0.0.2&port=70000"));
        Assert.Equal(HttpStatusCode.BadRequest, badPort.StatusCode);
        using var page = await http.GetAsync(_node.Url("/status?ip=phone"));
        Assert.Contains("&#39;phone&#39; is not an IPv4 or IPv6 address", await page.Content.ReadAsStringAsync());
    }

    private HttpClient LoggedIn() => new()
    {
        DefaultRequestHeaders = { Authorization = AuthenticationHeaderValue.Parse(Login) },
        Timeout = TimeSpan.FromSeconds(15),
    };

    /// <summary>/status/clients, asked again until <paramref name="done"/> holds (the gateway's first report, a claim, take a moment).</summary>
    private async Task<JsonNode> LookUpUntilAsync(string ip, string? port, Func<JsonNode, bool> done)
    {
        using var http = LoggedIn();
        string url = _node.Url($"/status/clients?ip={ip}{(port is null ? "" : $"&port={port}")}");
        JsonNode? last = null;
        bool reached = await Eventually.True(async () =>
        {
            last = JsonNode.Parse(await http.GetStringAsync(url))!;
            return done(last);
        }, TimeSpan.FromSeconds(15));
        Assert.True(reached, $"{url}: {last?.ToJsonString()}");
        return last!;
    }

    private static DateTimeOffset Time(JsonNode? node) => DateTimeOffset.Parse((string)node!, CultureInfo.InvariantCulture);

    /// <summary>Within a second: the service reads the same host's clocks, a moment later.</summary>
    private static void AssertNear(DateTimeOffset expected, DateTimeOffset actual, string what) =>
        Assert.True(Math.Abs((actual - expected).TotalSeconds) <= 1.0, $"{what}: {actual:O}, expected about {expected:O}");

    /// <summary>The page shows a time as HH:mm:ssZ: the JSON's time, to the second (or the next, rounding across a second's edge).</summary>
    private static void AssertShown(DateTimeOffset expected, string shown, string what)
    {
        var match = ShownTime().Match(shown);
        Assert.True(match.Success, $"{what}: '{shown}'");
        var time = TimeSpan.ParseExact(match.Groups[1].Value, @"hh\:mm\:ss", CultureInfo.InvariantCulture);
        double apart = Math.Abs((time - expected.UtcDateTime.TimeOfDay).TotalSeconds);
        Assert.True(apart <= 1.0 || apart >= 86_399, $"{what}: shown '{shown}', the JSON says {expected:O}");
    }

    [GeneratedRegex(@"(\d\d:\d\d:\d\d)Z")]
    private static partial Regex ShownTime();
}
