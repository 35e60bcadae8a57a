using System.Text.Json;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Comparison;

/// <summary>Prints the comparison as one table (service, reference, ratio), the nodes, the verdict, and last the JSON line.</summary>
internal sealed class ComparisonWriter(TextWriter output)
{
    private const int Label = 36;
    private const int Column = 22;

    public void Write(ComparisonReport report)
    {
        var service = report.Service;
        var reference = report.Reference;
        var ratios = report.Ratios;
        output.WriteLine();
        output.WriteLine($"== comparison: {report.Topology}, {report.Clients:N0} clients, heartbeat every {report.HeartbeatSeconds} s, first ones over {report.SpreadSeconds} s, {report.DurationSeconds} s ==");
        Row("", "service", "reference", "service / reference");
        Row("on time (1000 ± 50 ms)", S(f => $"{f.Load.WithinToleranceFraction:P3}"), R(f => $"{f.Load.WithinToleranceFraction:P3}"), Ratio(ratios?.OnTime, "F4"));
        Row("intervals measured", S(f => $"{f.Load.Intervals:N0}"), R(f => $"{f.Load.Intervals:N0}"), "");
        Row("interval p99 / max", S(f => $"{f.Load.IntervalP99Ms:F1} / {f.Load.IntervalMaxMs:F1} ms"), R(f => $"{f.Load.IntervalP99Ms:F1} / {f.Load.IntervalMaxMs:F1} ms"), "");
        Row("clients with missed pings", S(Missed), R(Missed), "");
        Row("first ping p50 / p99", S(f => $"{f.Load.FirstPingP50Ms:F1} / {f.Load.FirstPingP99Ms:F1} ms"), R(f => $"{f.Load.FirstPingP50Ms:F1} / {f.Load.FirstPingP99Ms:F1} ms"), $"{Ratio(ratios?.FirstPingP50)} / {Ratio(ratios?.FirstPingP99)}");
        Row("pings received per second", S(f => $"{f.PingsPerSecond:N0}"), R(f => $"{f.PingsPerSecond:N0}"), "");
        Row("CPU during the load", S(f => $"{f.CpuCores * 100:F1} % of a core"), R(f => $"{f.CpuCores * 100:F1} % of a core"), "");
        Row("CPU per 1,000 pings/s", S(PerThousand), R(PerThousand), Ratio(ratios?.CpuPerThousandPings));
        Row("RSS idle -> with clients", S(Rss), R(Rss), "");
        Row("fixed: idle RSS", S(f => $"{f.IdleRssKib / 1024.0:F1} MiB"), R(f => $"{f.IdleRssKib / 1024.0:F1} MiB"), Ratio(ratios?.IdleRss));
        Row("fixed: idle CPU", S(f => $"{f.IdleCpuCores * 100:F2} % of a core"), R(f => $"{f.IdleCpuCores * 100:F2} % of a core"), Ratio(ratios?.IdleCpu));
        Row("per client: CPU over idle", S(f => $"{f.CpuCoresOverIdle * 100:F1} % of a core"), R(f => $"{f.CpuCoresOverIdle * 100:F1} % of a core"), "");
        Row("  per 1,000 pings/s", S(OverIdlePerThousand), R(OverIdlePerThousand), Ratio(ratios?.CpuOverIdlePerThousandPings));
        Row("  per 10k clients", S(f => PerTenThousand(f, f.CpuCoresOverIdle * 100, "% of a core")), R(f => PerTenThousand(f, f.CpuCoresOverIdle * 100, "% of a core")), "");
        Row("per client: RSS over idle", S(f => $"{f.RssPerClientKib:F2} KiB"), R(f => $"{f.RssPerClientKib:F2} KiB"), Ratio(ratios?.RssPerClient));
        Row("  per 10k clients", S(f => PerTenThousand(f, (f.LoadedRssKib - f.IdleRssKib) / 1024.0, "MiB")), R(f => PerTenThousand(f, (f.LoadedRssKib - f.IdleRssKib) / 1024.0, "MiB")), "");
        Row("UDP RcvbufErrors / SndbufErrors", S(f => $"{f.UdpReceiveBufferErrors:N0} / {f.UdpSendBufferErrors:N0}"), R(f => $"{f.UdpReceiveBufferErrors:N0} / {f.UdpSendBufferErrors:N0}"), "");
        Row("  of which at its own sockets", S(f => $"{f.SocketDrops:N0}"), R(f => $"{f.SocketDrops:N0}"), "");
        Row("  of which at the bench's sockets", S(f => $"{f.Load.BenchSocketDrops:N0}"), R(f => $"{f.Load.BenchSocketDrops:N0}"), "");
        Row("bench CPU during the load", S(Bench), R(Bench), "");
        Row("other processes on the machine", S(Others), R(Others), "");
        Row("softirq (in processes' CPU)", S(f => $"{f.Load.MachineInterruptCores * 100:F0} % of a core"), R(f => $"{f.Load.MachineInterruptCores * 100:F0} % of a core"), "");
        Row("bench read delay p99 / max", S(f => $"{f.Load.BenchReadDelayP99Ms:F1} / {f.Load.BenchReadDelayMaxMs:F1} ms"), R(f => $"{f.Load.BenchReadDelayP99Ms:F1} / {f.Load.BenchReadDelayMaxMs:F1} ms"), "");
        if (reference?.PingerMaxLatenessMs is { } lateness) Row("reference's worst slot lateness", "", $"{lateness:F1} ms", "");

        foreach (var subject in new[] { service, reference })
        {
            if (subject is null) continue;
            foreach (var target in subject.Load.ByTarget)
            {
                output.WriteLine($"  {subject.Subject} via {target.Target}: {target.Clients:N0} clients, {target.WithinToleranceFraction:P3} on time, {target.ClientsWithMissedPings + target.ClientsWithoutPings} with missed pings");
            }
        }
        output.WriteLine("nodes (CPU and RSS as /proc tells them):");
        foreach (var node in new[] { service, reference }.Where(subject => subject is not null).SelectMany(subject => subject!.Nodes))
        {
            string quota = node.QuotaCores is { } cores
                ? $", quota {cores:F2} cores per {node.QuotaPeriodMs:F0} ms, throttled in {node.ThrottledPeriods} of {node.Periods} periods ({node.ThrottledSeconds:F1} s)"
                : "";
            output.WriteLine($"  {node.Role,-9} {node.Name,-10} pid {node.ProcessId,-7} idle {node.IdleCpuCores * 100,5:F2} % of a core, load cpu {node.CpuSeconds,6:F1} s ({node.CpuCores * 100,5:F1} % of a core)  rss {node.IdleRssKib / 1024.0,6:F1} -> {node.LoadedRssKib / 1024.0,6:F1} MiB (peak {node.PeakRssKib / 1024.0:F1}){quota}{(node.ExitedDuringRun ? "  EXITED" : "")}");
        }
        output.WriteLine($"node logs: {report.LogDirectory}");
        var limits = report.Thresholds;
        output.WriteLine($"required of the service: {ComparisonVerdict.Contract}: on time >= {report.RequiredOnTime:P3}, missed clients <= {limits.MissedClients}, first-ping p99 <= {limits.FirstPingP99Ms} ms; "
            + $"{ComparisonVerdict.PerClient}: CPU over idle per ping <= {limits.CpuRatio} x the reference's, RSS over idle <= {limits.RssPerClientKib} KiB per client; "
            + $"{ComparisonVerdict.Fixed}: each service process idle <= {limits.IdleRssMib} MiB and <= {limits.IdleCpuPercent} % of a core");
        foreach (string heading in new[] { ComparisonVerdict.Contract, ComparisonVerdict.PerClient, ComparisonVerdict.Fixed })
        {
            output.WriteLine($"{heading}: {ComparisonVerdict.Summary(report.Failures, heading)}");
        }
        output.WriteLine(report.Pass ? "PASS" : "FAIL");
        foreach (string failure in report.Failures) output.WriteLine($"FAIL: {failure}");
        output.WriteLine(JsonSerializer.Serialize(report, BenchJson.Readable.ComparisonReport));

        string S(Func<SubjectFigures, string> figure) => service is null ? "-" : figure(service);
        string R(Func<SubjectFigures, string> figure) => reference is null ? "-" : figure(reference);
    }

    private static string Missed(SubjectFigures figures) => $"{figures.Load.ClientsWithMissedPings + figures.Load.ClientsWithoutPings:N0}";

    private static string PerThousand(SubjectFigures figures) =>
        figures.CpuCoresPerThousandPingsPerSecond is { } cores ? $"{cores * 100:F2} % of a core" : "-";

    private static string OverIdlePerThousand(SubjectFigures figures) =>
        figures.CpuOverIdlePerThousandPingsPerSecond is { } cores ? $"{cores * 100:F2} % of a core" : "-";

    private static string PerTenThousand(SubjectFigures figures, double total, string unit) =>
        figures.Load.Clients > 0 ? $"{total * 10_000 / figures.Load.Clients:F2} {unit}" : "-";

    private static string Rss(SubjectFigures figures) => $"{figures.IdleRssKib / 1024.0:F0} -> {figures.LoadedRssKib / 1024.0:F0} MiB";

    private static string Bench(SubjectFigures figures) => $"{figures.Load.BenchCores * 100:F0} % of a core";

    /// <summary>Busy CPU that was neither the bench's nor the subject's: the noise of a shared machine.</summary>
    private static string Others(SubjectFigures figures) => $"{figures.Load.OtherCores * 100:F0} % of a core";

    private static string Ratio(double? ratio, string format = "F2") => ratio is { } value ? value.ToString(format) : "-";

    private void Row(string label, string service, string reference, string ratio) =>
        output.WriteLine($"{label,-Label}{service,-Column}{reference,-Column}{ratio}");
}
