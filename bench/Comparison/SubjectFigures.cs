using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Reporting;

namespace TixTrigger.Bench.Comparison;

/// <summary>Everything measured for one subject (the service, or the reference) under the load, each figure computed where it is declared.</summary>
/// <param name="own">The subject's own processes (the service: silos and gateways; not redis).</param>
internal sealed class SubjectFigures(string subject, BenchReport load, IReadOnlyList<NodeUsage> nodes, NodeUsage[] own, UdpCounters udp, long socketDrops, double? pingerLatenessMs)
{
    private readonly double _cpu = own.Sum(node => node.CpuSeconds);
    private readonly double _idleCores = own.Sum(node => node.IdleCpuCores);

    public string Subject => subject;

    public IReadOnlyList<string> Targets => load.Targets;

    /// <summary>The bench's full report of the load (intervals, first ping, contract checks, the bench's own CPU).</summary>
    public BenchReport Load => load;

    public double CpuSeconds => Math.Round(_cpu, 2);

    public double CpuCores => Math.Round(Cores, 3);

    public double PingsPerSecond => Math.Round(UnroundedPingsPerSecond, 1);

    /// <summary>Cores per 1,000 pings a second: the cost of pinging, comparable across loads.</summary>
    public double? CpuCoresPerThousandPingsPerSecond => PerThousandPings(Cores);

    /// <summary>Fixed cost: the subject's processes together, idle before the load.</summary>
    public double IdleCpuCores => Math.Round(_idleCores, 4);

    /// <summary>Per-client cost: CPU during the load minus the idle CPU.</summary>
    public double CpuCoresOverIdle => Math.Round(OverIdle, 4);

    /// <summary>Per-client cost, comparable across loads: the CPU over idle per 1,000 pings a second.</summary>
    public double? CpuOverIdlePerThousandPingsPerSecond => PerThousandPings(OverIdle);

    public long IdleRssKib => own.Sum(node => node.IdleRssKib);

    public long LoadedRssKib => own.Sum(node => node.LoadedRssKib);

    public double RssPerClientKib => Math.Round((double)(LoadedRssKib - IdleRssKib) / load.Clients, 3);

    /// <summary>The kernel's UDP RcvbufErrors during the load, machine-wide (the bench's client sockets included).</summary>
    public long UdpReceiveBufferErrors => udp.ReceiveBufferErrors;

    public long UdpSendBufferErrors => udp.SendBufferErrors;

    /// <summary>Datagrams dropped at the subject's own UDP sockets since they opened (full receive buffer): lost heartbeats.</summary>
    public long SocketDrops => socketDrops;

    /// <summary>Reference only: how late its sender began its worst slot.</summary>
    public double? PingerMaxLatenessMs => pingerLatenessMs;

    public IReadOnlyList<NodeUsage> Nodes => nodes;

    private double Cores => _cpu / load.DurationSeconds;

    private double UnroundedPingsPerSecond => load.PingsReceived / load.DurationSeconds;

    // What the clients cost: the CPU above what the subject spends with none.
    private double OverIdle => Math.Max(0, Cores - _idleCores);

    private double? PerThousandPings(double cores) => UnroundedPingsPerSecond > 0 ? Math.Round(cores / (UnroundedPingsPerSecond / 1000), 5) : null;
}
