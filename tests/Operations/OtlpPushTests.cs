using System.Net;
using System.Text;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set, a node pushes its metrics over OTLP as well (here to a bare HTTP receiver).</summary>
public sealed class OtlpPushTests
{
    [Fact]
    public async Task A_node_pushes_the_service_metrics_to_the_OTLP_endpoint()
    {
        int port = FreePorts.Next();
        using var receiver = new HttpListener();
        receiver.Prefixes.Add($"http://127.0.0.1:{port}/");
        receiver.Start();
        using var node = await SingleNode.StartAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        });

        var received = new List<(string Path, string Body)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // The shard gauges appear once the shards have started, which may be after the first push.
        bool Pushed(string metric) => received.Any(r => r.Body.Contains(metric, StringComparison.Ordinal));
        while (!Pushed("tixtrigger.pings_sent") || !Pushed("tixtrigger.shard_members"))
        {
            var context = await receiver.GetContextAsync().WaitAsync(timeout.Token);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, timeout.Token);
            // Protobuf keeps metric names as plain UTF-8 strings.
            received.Add((context.Request.Url!.AbsolutePath, Encoding.UTF8.GetString(body.ToArray())));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }

        Assert.All(received, r => Assert.Equal("/v1/metrics", r.Path));
    }
}
