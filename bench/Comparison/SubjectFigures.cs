using TixTrigger.Bench.Reporting;

namespace TixTrigger.Bench.Comparison;

/// <summary>Everything measured for one subject (the service, or the reference) under the load.</summary>
internal sealed record SubjectFigures
{
    public required string Subject { get; init; }

    public required IReadOnlyList<string> Targets { get; init; }

    /// <summary>The bench's full report of the load (intervals, first ping, contract checks, the bench's own CPU).</summary>
    public required BenchReport Load { get; init; }

    /// <summary>The subject's processes together (the service: silos and gateways; not redis).</summary>
    public required double CpuSeconds { get; init; }

    public required double CpuCores { get; init; }

    public required double PingsPerSecond { get; init; }

    /// <summary>Cores per 1,000 pings a second: the cost of pinging, comparable across loads.</summary>
    public required double? CpuCoresPerThousandPingsPerSecond { get; init; }

    /// <summary>Fixed cost: the subject's processes together, idle before the load.</summary>
    public required double IdleCpuCores { get; init; }

    /// <summary>Per-client cost: CPU during the load minus the idle CPU.</summary>
    public required double CpuCoresOverIdle { get; init; }

    /// <summary>Per-client cost, comparable across loads: the CPU over idle per 1,000 pings a second.</summary>
    public required double? CpuOverIdlePerThousandPingsPerSecond { get; init; }

    /// <summary>Fixed cost: the subject's processes together, idle before the load.</summary>
    public required long IdleRssKib { get; init; }

    public required long LoadedRssKib { get; init; }

    public required double RssPerClientKib { get; init; }

    /// <summary>The kernel's UDP RcvbufErrors during the load, machine-wide (the bench's client sockets included).</summary>
    public required long UdpReceiveBufferErrors { get; init; }

    public required long UdpSendBufferErrors { get; init; }

    /// <summary>Datagrams dropped at the subject's own UDP sockets since they opened (full receive buffer): lost heartbeats.</summary>
    public required long SocketDrops { get; init; }

    /// <summary>Reference only: how late its sender began its worst slot.</summary>
    public required double? PingerMaxLatenessMs { get; init; }

    public required IReadOnlyList<NodeUsage> Nodes { get; init; }
}
