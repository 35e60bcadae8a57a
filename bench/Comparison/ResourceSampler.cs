using System.Diagnostics;
using TixTrigger.Bench.Coordination;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Nodes;

namespace TixTrigger.Bench.Comparison;

/// <summary>
/// Samples a deployment's nodes from /proc: memory and CPU while idle, then CPU over exactly the load's
/// window (read at its start and its end), memory through the load, the kernel's UDP error
/// counters and each quota group's throttling over the same window.
/// </summary>
internal sealed class ResourceSampler(Deployment deployment)
{
    private static readonly TimeSpan IdleInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RunInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The memory "with the clients" is the median over this last stretch of the load, when all have long registered.</summary>
    private static readonly long LoadedStretch = StopwatchTime.FromSeconds(5);

    private readonly Dictionary<NodeProcess, long> _idleRss = [];
    private readonly Dictionary<NodeProcess, double> _idleCpuCores = [];
    private readonly Dictionary<NodeProcess, List<(long At, long Rss)>> _runRss = [];
    private readonly Dictionary<NodeProcess, double> _cpuAtStart = [];
    private readonly Dictionary<NodeProcess, double> _cpuAtEnd = [];
    private readonly Dictionary<NodeProcess, CpuThrottling> _throttlingAtStart = [];
    private readonly Dictionary<NodeProcess, CpuThrottling> _throttlingAtEnd = [];
    private readonly HashSet<NodeProcess> _exited = [];
    private UdpCounters _udpAtStart;
    private UdpCounters _udpAtEnd;
    private long _start;
    private long _end;

    public UdpCounters UdpDuringRun => _udpAtEnd - _udpAtStart;

    public async Task SampleIdleAsync(TimeSpan span, CancellationToken cancellation)
    {
        var samples = deployment.Nodes.ToDictionary(node => node, _ => new List<long>());
        var cpuAtStart = deployment.Nodes.ToDictionary(node => node, node => ProcFs.CpuSeconds(node.Id) ?? 0);
        long start = Stopwatch.GetTimestamp();
        long until = start + StopwatchTime.FromSeconds(span.TotalSeconds);
        do
        {
            foreach (var (node, list) in samples)
            {
                if (ProcFs.RssKib(node.Id) is { } rss) list.Add(rss);
            }
            await Task.Delay(IdleInterval, cancellation);
        }
        while (Stopwatch.GetTimestamp() < until);
        double seconds = Math.Max(1e-9, StopwatchTime.ToMs(Stopwatch.GetTimestamp() - start) / 1000);
        foreach (var (node, list) in samples)
        {
            _idleRss[node] = Median(list);
            _idleCpuCores[node] = Math.Round(((ProcFs.CpuSeconds(node.Id) ?? 0) - cpuAtStart[node]) / seconds, 4);
        }
    }

    /// <summary>Runs alongside the load, from before its start to its end.</summary>
    public async Task SampleRunAsync(long start, long end, CancellationToken cancellation)
    {
        _start = start;
        _end = end;
        await MachineWindow.DelayUntil(start, cancellation);
        _udpAtStart = UdpCounters.Read();
        foreach (var node in deployment.Nodes)
        {
            _cpuAtStart[node] = ProcFs.CpuSeconds(node.Id) ?? 0;
            if (deployment.GroupOf(node) is { } group) _throttlingAtStart[node] = group.ReadThrottling();
            _runRss[node] = [];
        }
        while (Stopwatch.GetTimestamp() < end)
        {
            SampleRss();
            await MachineWindow.DelayUntil(Math.Min(end, Stopwatch.GetTimestamp() + StopwatchTime.FromSeconds(RunInterval.TotalSeconds)), cancellation);
        }
        _udpAtEnd = UdpCounters.Read();
        foreach (var node in deployment.Nodes)
        {
            if (ProcFs.CpuSeconds(node.Id) is { } cpu) _cpuAtEnd[node] = cpu;
            else _exited.Add(node);
            if (deployment.GroupOf(node) is { } group) _throttlingAtEnd[node] = group.ReadThrottling();
        }
        SampleRss();
    }

    public NodeUsage UsageOf(NodeProcess node)
    {
        var rss = _runRss.GetValueOrDefault(node) ?? [];
        long loadedFrom = _end - LoadedStretch;
        var loaded = rss.Where(sample => sample.At >= loadedFrom).Select(sample => sample.Rss).ToList();
        double cpu = (_cpuAtEnd.TryGetValue(node, out double end) ? end : _cpuAtStart.GetValueOrDefault(node)) - _cpuAtStart.GetValueOrDefault(node);
        var group = deployment.GroupOf(node);
        var throttling = group is null ? (CpuThrottling?)null : _throttlingAtEnd.GetValueOrDefault(node) - _throttlingAtStart.GetValueOrDefault(node);
        return new NodeUsage(
            Name: node.Name,
            Role: node.Spec.Role.ToString().ToLowerInvariant(),
            ProcessId: node.Id,
            CpuSeconds: Math.Round(cpu, 2),
            CpuCores: Math.Round(cpu / Math.Max(1e-9, StopwatchTime.ToMs(_end - _start) / 1000), 3),
            IdleRssKib: _idleRss.GetValueOrDefault(node),
            IdleCpuCores: _idleCpuCores.GetValueOrDefault(node),
            LoadedRssKib: loaded.Count > 0 ? Median(loaded) : rss.LastOrDefault().Rss,
            PeakRssKib: rss.Count > 0 ? rss.Max(sample => sample.Rss) : 0,
            QuotaCores: group?.Cores,
            QuotaPeriodMs: group?.PeriodMicroseconds / 1000.0,
            Periods: throttling?.Periods,
            ThrottledPeriods: throttling?.ThrottledPeriods,
            ThrottledSeconds: throttling is { } t ? Math.Round(t.ThrottledNanoseconds / 1e9, 2) : null,
            ExitedDuringRun: _exited.Contains(node) || node.HasExited,
            Log: node.LogPath);
    }

    private void SampleRss()
    {
        long now = Stopwatch.GetTimestamp();
        foreach (var node in deployment.Nodes)
        {
            if (ProcFs.RssKib(node.Id) is { } rss) _runRss[node].Add((now, rss));
        }
    }

    private static long Median(List<long> values)
    {
        if (values.Count == 0) return 0;
        values.Sort();
        return values[values.Count / 2];
    }
}
