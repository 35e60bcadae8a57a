using System.Text.Json;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Reporting;

/// <summary>Prints the report as aligned lines for people, then as one JSON line for scripts (always the last line).</summary>
internal sealed class ReportWriter(TextWriter output)
{
    public void Write(BenchReport report, WorkerSummary examples)
    {
        Line("clients", $"{report.Clients}");
        Line("intervals measured", $"{report.Intervals}");
        Line($"within {Tolerances.PingIntervalMs} ± {Tolerances.IntervalToleranceMs} ms", $"{report.WithinToleranceFraction:P2} ({report.IntervalsWithinTolerance} of {report.Intervals})");
        if (report.OffToleranceBySecond.Count > 0) Line("  off tolerance, by second of run", BySecond(report.OffToleranceBySecond));
        Line("interval min/p50/p99/max", Figures(report.IntervalMinMs, report.IntervalP50Ms, report.IntervalP99Ms, report.IntervalMaxMs));
        Line("first ping p50/p99/max", $"{Figures(report.FirstPingP50Ms, report.FirstPingP99Ms, report.FirstPingMaxMs)} (from the first heartbeat)");
        Line("longest gap", $"{report.LongestGapMs:F1} ms{(report.LongestGapClient is null ? "" : $" ({report.LongestGapClient})")}");
        Line("wrong source", $"{report.WrongSource}", examples.WrongSource.Examples);
        Line("wrong bytes", $"{report.WrongBytes}", examples.WrongBytes.Examples);
        Line("clients without pings", $"{report.ClientsWithoutPings}", examples.ClientsWithoutPings.Examples);
        Line("clients whose pings ended early", $"{report.ClientsEndedEarly}", examples.ClientsEndedEarly.Examples);
        Line($"clients with a gap over {Tolerances.StopGraceMs / 1000} s", $"{report.ClientsWithMissedPings} (missed pings)", examples.ClientsWithMissedPings.Examples);
        foreach (var target in report.ByTarget)
        {
            Line($"  via {target.Target}", $"{target.Clients} clients, {target.WithinToleranceFraction:P2} of {target.Intervals} within ± {Tolerances.IntervalToleranceMs} ms, {target.ClientsWithMissedPings} with missed pings, {target.ClientsWithoutPings} without pings");
        }
        Line("pings received", $"{report.PingsReceived}");
        Line("before a client's first heartbeat", $"{report.DatagramsBeforeFirstHeartbeat} datagrams, ignored (meant for an earlier user of the port)");
        Line("heartbeats sent", $"{report.HeartbeatsSent} ({report.HeartbeatSendErrors} send errors)");
        if (report.StoppedClients is { } stopped)
        {
            Line("stopped clients", $"{stopped}");
            Line("  latest ping after deadline", report.LatestAfterDeadlineMs is { } late ? $"{late:F1} ms" : "none after the deadline");
            if (report.StoppedLastPingVsDeadlineMinMs is { } earliest && report.StoppedLastPingVsDeadlineMaxMs is { } latest)
            {
                Line("  last ping vs deadline", $"{Signed(earliest)} .. {Signed(latest)} ms over the stopped clients");
            }
            Line($"  pinged after deadline + {Tolerances.StopGraceMs / 1000} s", $"{report.StoppedClientsPingedLate}", examples.StoppedClientsPingedLate.Examples);
        }
        Line("bench cpu / GCs / heartbeat lateness", $"{report.BenchCpuSeconds:F1} s ({report.BenchRunCpuSeconds:F1} s during the run: {report.BenchRunCpuSeconds / report.DurationSeconds:P0} of a core) / {report.BenchGarbageCollections} / {report.BenchHeartbeatMaxLatenessMs:F1} ms max");
        Line("machine during the run", report.OtherCores is { } others
            ? $"{report.MachineBusyCores:F2} cores busy: bench {report.BenchCores:F2}, {(report.ReferencePingerMaxLatenessMs is null ? "subject" : "reference pinger")} {report.SubjectCores:F2}, other processes {others:F2} (softirq {report.MachineInterruptCores:F2} of it all)"
            : $"{report.MachineBusyCores:F2} cores busy, of which the bench {report.BenchCores:F2} (the rest: the service and anything else; softirq {report.MachineInterruptCores:F2} of it all)");
        Line("bench read delay p50/p99/max", $"{Figures(report.BenchReadDelayP50Ms, report.BenchReadDelayP99Ms, report.BenchReadDelayMaxMs)} (kernel stamp to read; not in the figures above)");
        if (report.BenchSocketDrops > 0) Line("dropped at the bench's sockets", $"{report.BenchSocketDrops} datagrams (full receive buffers: the bench's loss, not the service's)");
        if (report.BenchUnstamped > 0 || report.BenchClockDriftMs > 1) Line("bench clock", $"{report.BenchUnstamped} datagrams without a kernel stamp; real-time clock moved {report.BenchClockDriftMs:F3} ms");
        if (report.ReferencePingerMaxLatenessMs is { } pinger) Line("reference pinger lateness", $"{pinger:F1} ms max");

        output.WriteLine(report.Pass ? "PASS" : "FAIL");
        foreach (string failure in report.Failures) output.WriteLine($"FAIL: {failure}");
        output.WriteLine(JsonSerializer.Serialize(report, BenchJson.Readable.BenchReport));
    }

    private static string BySecond(IReadOnlyDictionary<int, long> counts)
    {
        const int Shown = 12;
        string listed = string.Join(", ", counts.OrderBy(entry => entry.Key).Take(Shown).Select(entry => $"{entry.Key} s: {entry.Value}"));
        return counts.Count > Shown ? $"{listed}, ... ({counts.Count} seconds in all)" : listed;
    }

    private static string Signed(double ms) => ms < 0 ? $"{ms:F1}" : $"+{ms:F1}";

    private static string Figures(params double?[] values) =>
        values.Any(value => value is null) ? "none measured" : $"{string.Join(" / ", values.Select(value => $"{value:F1}"))} ms";

    private void Line(string label, string value, IReadOnlyList<string>? examples = null)
    {
        output.WriteLine($"{label,-40}{value}");
        foreach (string example in examples ?? []) output.WriteLine($"{"",-42}e.g. {example}");
    }
}
