using System.Diagnostics;
using System.Net;
using Xunit;

namespace TixTrigger.Tests.Infrastructure;

public static class PingAssertions
{
    /// <summary>
    /// Tolerance for one interval in these tests: wide enough for a busy 2-core CI machine.
    /// The ±50 ms target is measured by the benchmark, not asserted here.
    /// </summary>
    public static readonly TimeSpan IntervalTolerance = TimeSpan.FromMilliseconds(200);

    public static void AllExactPingsFrom(IReadOnlyList<PingClient.Received> pings, IPEndPoint expectedSource)
    {
        Assert.NotEmpty(pings);
        Assert.All(pings, ping =>
        {
            Assert.True(Protocol.Ping.Is(ping.Data), $"not a ping: {Convert.ToHexString(ping.Data)}");
            Assert.Equal(expectedSource, ping.From);
        });
    }

    public static void IntervalsAboutOneSecond(IReadOnlyList<PingClient.Received> pings)
    {
        Assert.True(pings.Count >= 2, $"{pings.Count} pings: no interval to measure");
        for (int i = 1; i < pings.Count; i++)
        {
            double ms = (pings[i].Timestamp - pings[i - 1].Timestamp) * 1000.0 / Stopwatch.Frequency;
            Assert.InRange(ms, 1000 - IntervalTolerance.TotalMilliseconds, 1000 + IntervalTolerance.TotalMilliseconds);
        }
    }
}
