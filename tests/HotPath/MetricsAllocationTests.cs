using OpenTelemetry;
using OpenTelemetry.Metrics;
using TixTrigger.Gateway;

namespace TixTrigger.Tests.HotPath;

/// <summary>
/// Counting and the lateness histogram allocate nothing per call, with the real exporter
/// listening: the sender records one value every 10 ms slot and counts every slot's pings.
/// </summary>
public sealed class MetricsAllocationTests
{
    [Fact]
    public void Recording_slots_and_their_lateness_allocates_nothing_while_exported()
    {
        using var metrics = new GatewayMetrics("alloc-test", () => 0);
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(GatewayMetrics.MeterName).AddPrometheusExporter().Build();
        void RecordSecond()
        {
            for (int slot = 0; slot < 100; slot++)
            {
                metrics.CountSlot(sent: 7, failed: 0, late: slot % 10 == 0);
                metrics.RecordSlotLateness(slot * 0.0003);
                metrics.CountHeartbeat();
                metrics.CountDrop(DropReason.Oversize);
                metrics.CountReceiveOverflows(2);
            }
        }
        RecordSecond(); // warm up: the exporter creates its series on first use

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int second = 0; second < 50; second++) RecordSecond();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(51 * 700, metrics.PingsSent);
        Assert.Equal(51 * 10 * 7, metrics.LatePings);
        Assert.Equal(51 * 200, metrics.ReceiveOverflows);
    }
}
