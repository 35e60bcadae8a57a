using System.Globalization;
using TixTrigger.Bench.Options;

namespace TixTrigger.Bench.Comparison;

/// <summary>
/// Whether the service met its bar against the reference measured in the same run; each miss in
/// words, under one of three headings judged apart: the contract (pings on time, none missed),
/// the per-client costs (what the load added over idle) and the fixed costs (the idle nodes), so
/// that a small load is not failed for what the service costs with no client at all.
/// </summary>
internal static class ComparisonVerdict
{
    public const string Contract = "contract";
    public const string PerClient = "per-client costs";
    public const string Fixed = "fixed costs";

    /// <summary>The threshold, or the reference's own on-time fraction when the machine kept even the reference below it.</summary>
    public static double RequiredOnTime(CompareThresholds thresholds, SubjectFigures? reference) =>
        reference is null ? thresholds.OnTime : Math.Min(thresholds.OnTime, reference.Load.WithinToleranceFraction);

    /// <summary>Each failure as "heading: what was missed".</summary>
    public static IReadOnlyList<string> Failures(ComparisonReport report)
    {
        var failures = new List<string>();
        if (report.Service is not { } service) return failures;
        var limits = report.Thresholds;
        var load = service.Load;
        if (load.WithinToleranceFraction < report.RequiredOnTime)
        {
            failures.Add(Text($"{Contract}: on time {load.WithinToleranceFraction:P3} of intervals, below the required {report.RequiredOnTime:P3}"));
        }
        long missed = load.ClientsWithMissedPings + load.ClientsWithoutPings;
        if (missed > limits.MissedClients)
        {
            failures.Add($"{Contract}: {missed} clients missed pings ({load.ClientsWithMissedPings} with a gap over 1.5 s, {load.ClientsWithoutPings} never pinged); allowed {limits.MissedClients}");
        }
        if (load.FirstPingP99Ms is not { } firstPing || firstPing > limits.FirstPingP99Ms)
        {
            failures.Add(Text($"{Contract}: first-ping p99 {load.FirstPingP99Ms?.ToString("F1", CultureInfo.InvariantCulture) ?? "not measured"} ms, above {limits.FirstPingP99Ms} ms"));
        }
        if (load.WrongSource > 0 || load.WrongBytes > 0)
        {
            failures.Add($"{Contract}: {load.WrongSource} pings from the wrong source and {load.WrongBytes} with the wrong bytes");
        }
        foreach (var node in service.Nodes.Where(node => node.ExitedDuringRun))
        {
            failures.Add($"{Contract}: {node.Name} exited during the run (log {node.Log})");
        }
        if (service.IdleCpuCores > service.CpuCores)
        {
            // Then the CPU over idle says nothing about the clients: the idle sample caught start-up work.
            failures.Add(Text($"{PerClient}: not measured: idle CPU {service.IdleCpuCores * 100:F2} % of a core above the {service.CpuCores * 100:F2} % under load; sample idle later (--idle-after)"));
        }
        else if (report.Ratios?.CpuOverIdlePerThousandPings is { } cpuRatio && cpuRatio > limits.CpuRatio)
        {
            failures.Add(Text($"{PerClient}: CPU over idle per 1,000 pings/s {cpuRatio:F2} × the reference's, above {limits.CpuRatio} ×"));
        }
        if (service.RssPerClientKib > limits.RssPerClientKib)
        {
            failures.Add(Text($"{PerClient}: RSS growth {service.RssPerClientKib:F2} KiB per client, above {limits.RssPerClientKib} KiB"));
        }
        foreach (var node in service.Nodes.Where(node => node.Role == "service"))
        {
            if (node.IdleRssKib / 1024.0 > limits.IdleRssMib)
            {
                failures.Add(Text($"{Fixed}: {node.Name} idle RSS {node.IdleRssKib / 1024.0:F0} MiB, above {limits.IdleRssMib} MiB"));
            }
            if (node.IdleCpuCores * 100 > limits.IdleCpuPercent)
            {
                failures.Add(Text($"{Fixed}: {node.Name} idle CPU {node.IdleCpuCores * 100:F2} % of a core, above {limits.IdleCpuPercent} %"));
            }
        }
        return failures;
    }

    /// <summary>PASS, or FAIL with the misses, for one heading.</summary>
    public static string Summary(IReadOnlyList<string> failures, string heading) =>
        failures.Any(failure => failure.StartsWith(heading + ":", StringComparison.Ordinal)) ? "FAIL" : "pass";

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
