using System.Globalization;
using TixTrigger.Bench.Measurement;
using TixTrigger.Protocol;

namespace TixTrigger.Bench.Reporting;

/// <summary>The pass criteria; each failure is named in words a user can act on.</summary>
internal static class Verdict
{
    public static IReadOnlyList<string> Failures(BenchReport report)
    {
        var failures = new List<string>();
        if (report.Intervals == 0)
        {
            failures.Add("no ping intervals were measured at all");
        }
        else if (report.WithinToleranceFraction < report.RequiredWithinFraction)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"only {report.WithinToleranceFraction:P2} of intervals within {Tolerances.PingIntervalMs} ± {Tolerances.IntervalToleranceMs} ms (required {report.RequiredWithinFraction:P2})"));
        }
        if (report.WrongSource > 0) failures.Add($"{report.WrongSource} datagrams came from another endpoint than the one the client sent its heartbeats to");
        if (report.WrongBytes > 0) failures.Add($"{report.WrongBytes} datagrams were not exactly the ping's {Ping.Bytes.Length} bytes {string.Join(' ', Ping.Bytes.ToArray().Select(b => $"0x{b:x2}"))}");
        if (report.ClientsWithoutPings > 0) failures.Add($"{report.ClientsWithoutPings} clients never got a ping");
        if (report.ClientsEndedEarly > 0) failures.Add($"{report.ClientsEndedEarly} clients stopped getting pings more than {Tolerances.StopGraceMs / 1000} s before they should have");
        if (report.StoppedClientsPingedLate > 0) failures.Add($"{report.StoppedClientsPingedLate} stopped clients got a ping later than deadline + {Tolerances.StopGraceMs / 1000} s");
        return failures;
    }
}
