using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Security;

/// <summary>
/// DASHBOARD_PASSWORD puts the dashboard and the status page behind basic authentication, but
/// never the probes or /metrics; the dashboard's live log stream (client endpoints) is off unless asked for.
/// </summary>
public sealed class DashboardLoginTests
{
    private const string Password = "correct-horse-battery";

    private static readonly string[] Open = ["/healthz", "/readyz", "/metrics"];
    private static readonly string[] Protected = ["/dashboard", "/dashboard/", "/status", "/status.json", "/"];

    [Fact]
    public async Task With_DASHBOARD_PASSWORD_pages_need_it_and_the_probes_and_metrics_do_not()
    {
        using var node = await SingleNode.StartAsync(new Dictionary<string, string> { ["DASHBOARD_PASSWORD"] = Password });
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var wrong = Client("admin", "not-the-password");
        using var right = Client("admin", Password);

        foreach (string path in Protected)
        {
            using var denied = await anonymous.GetAsync(node.Url(path));
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("Basic", denied.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(node.Url(path))).StatusCode);
            using var allowed = await right.GetAsync(node.Url(path));
            Assert.True((int)allowed.StatusCode < 400, $"{path} with the password: {allowed.StatusCode}"); // a redirect counts
        }
        foreach (string path in Open)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(node.Url(path))).StatusCode);
        }
    }

    [Fact]
    public async Task DASHBOARD_USER_names_the_user()
    {
        using var node = await SingleNode.StartAsync(new Dictionary<string, string> { ["DASHBOARD_USER"] = "ops", ["DASHBOARD_PASSWORD"] = Password });
        using var admin = Client("admin", Password);
        using var ops = Client("ops", Password);

        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync(node.Url("/dashboard/"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync(node.Url("/dashboard/"))).StatusCode);
    }

    [Fact]
    public async Task The_live_log_stream_is_off_unless_DASHBOARD_LOG_STREAM_asks_for_it()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var node = await SingleNode.StartAsync())
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(node.Url("/dashboard/"))).StatusCode); // no password: open, as before
            using var trace = await http.GetAsync(node.Url("/dashboard/Trace"), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Forbidden, trace.StatusCode);
        }
        using (var node = await SingleNode.StartAsync(new Dictionary<string, string> { ["DASHBOARD_LOG_STREAM"] = "true" }))
        {
            using var trace = await http.GetAsync(node.Url("/dashboard/Trace"), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, trace.StatusCode);
        }
    }

    private static HttpClient Client(string user, string password) => new(new HttpClientHandler { AllowAutoRedirect = false })
    {
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))) },
        Timeout = TimeSpan.FromSeconds(10),
    };
}
