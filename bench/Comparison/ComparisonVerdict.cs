using System.Globalization;
using TixTrigger.Bench.Options;

namespace TixTrigger.Bench.Comparison;

/// <summary>Whether the service met issue 6's bar against the reference measured in the same run; each miss in words.</summary>
internal static class ComparisonVerdict
{
    /// <summary>The threshold, or the reference's own on-time fraction when the machine kept even the reference below it.</summary>
    public static double RequiredOnTime(CompareThresholds thresholds, SubjectFigures? reference) =>
        reference is null ? thresholds.OnTime : Math.Min(thresholds.OnTime, reference.Load.WithinToleranceFraction);

    public static IReadOnlyList<string> Failures(ComparisonReport report)
    {
        var failures = new List<string>();
        if (report.Service is not { } service) return failures;
        var limits = report.Thresholds;
        var load = service.Load;
        if (load.WithinToleranceFraction < report.RequiredOnTime)
        {
            failures.Add(Text($"on time {load.WithinToleranceFraction:P3} of intervals, below the required {report.RequiredOnTime:P3}"));
        }
        int missed = load.ClientsWithMissedPings + load.ClientsWithoutPings;
        if (missed > limits.MissedClients)
        {
            failures.Add($"{missed} clients missed pings ({load.ClientsWithMissedPings} with a gap over 1.5 s, {load.ClientsWithoutPings} never pinged); allowed {limits.MissedClients}");
        }
        if (load.FirstPingP99Ms is not { } firstPing || firstPing > limits.FirstPingP99Ms)
        {
            failures.Add(Text($"first-ping p99 {load.FirstPingP99Ms?.ToString("F1", CultureInfo.InvariantCulture) ?? "not measured"} ms, above {limits.FirstPingP99Ms} ms"));
        }
        if (report.Ratios?.CpuPerThousandPings is { } cpuRatio && cpuRatio > limits.CpuRatio)
        {
            failures.Add(Text($"CPU per 1,000 pings/s {cpuRatio:F2} × the reference's, above {limits.CpuRatio} ×"));
        }
        if (service.RssPerClientKib > limits.RssPerClientKib)
        {
            failures.Add(Text($"RSS growth {service.RssPerClientKib:F2} KiB per client, above {limits.RssPerClientKib} KiB"));
        }
        if (load.WrongSource > 0 || load.WrongBytes > 0)
        {
            failures.Add($"{load.WrongSource} pings from the wrong source and {load.WrongBytes} with the wrong bytes");
        }
        foreach (var node in service.Nodes.Where(node => node.ExitedDuringRun))
        {
            failures.Add($"{node.Name} exited during the run (log {node.Log})");
        }
        return failures;
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
