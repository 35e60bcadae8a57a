using System.Text.Json;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Operations;

/// <summary><c>LOG_FORMAT=json</c>: every line a node writes is one JSON object a log collector can parse.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task With_LOG_FORMAT_json_every_line_is_a_json_object_with_level_category_and_message()
    {
        using var node = await SingleNode.StartAsync(new Dictionary<string, string> { ["LOG_FORMAT"] = "json" });
        var lines = node.Process.Output.Where(line => line.Length > 0).ToList();

        Assert.NotEmpty(lines);
        var events = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(events, entry =>
        {
            Assert.True(entry.TryGetProperty("Timestamp", out _), entry.ToString());
            Assert.True(entry.TryGetProperty("LogLevel", out _), entry.ToString());
            Assert.True(entry.TryGetProperty("Category", out _), entry.ToString());
        });
        var up = Assert.Single(events, entry => entry.GetProperty("Message").GetString()!.StartsWith("TixTrigger silo up", StringComparison.Ordinal));
        Assert.Equal("Information", up.GetProperty("LogLevel").GetString());
        Assert.True(up.GetProperty("State").TryGetProperty("SiloPort", out _), "structured fields are kept");
    }
}
