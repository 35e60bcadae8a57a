using Microsoft.Extensions.Logging;
using TixTrigger.Gateway;
using TixTrigger.Gateway.Abuse;

namespace TixTrigger.Tests.Abuse;

/// <summary>A flood shows in the log as one line every half minute, by reason, never as one line per datagram.</summary>
public sealed class DropReportTests
{
    private sealed class Lines : ILogger
    {
        public List<string> Logged { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Logged.Add(formatter(state, exception));
    }

    [Fact]
    public void Drops_are_summed_up_at_most_every_30_seconds_with_their_reasons()
    {
        using var metrics = new GatewayMetrics("test", () => 0);
        var log = new Lines();
        var report = new DropReport(metrics, log);

        // A minute of 10,000 oversize datagrams and one echo a second, the report asked after each second.
        for (int second = 0; second < 60; second++)
        {
            for (int i = 0; i < 10_000; i++) metrics.CountDrop(DropReason.Oversize);
            metrics.CountDrop(DropReason.Echo);
            report.Tick(nowMs: second * 1_000);
        }
        report.Tick(nowMs: 60_000);
        report.Tick(nowMs: 120_000); // nothing dropped since: nothing to say

        Assert.Equal(
        [
            "Datagrams dropped in the last 30 s, by reason: Oversize=10000, Echo=1",
            "Datagrams dropped in the last 30 s, by reason: Oversize=300000, Echo=30",
            "Datagrams dropped in the last 30 s, by reason: Oversize=290000, Echo=29",
        ], log.Logged);
    }
}
