namespace TixTrigger.Bench.Measurement;

/// <summary>The service's promises, as the bench holds it to them.</summary>
internal static class Tolerances
{
    public const double PingIntervalMs = 1000;

    /// <summary>An interval within 1000 ± this counts as on time.</summary>
    public const double IntervalToleranceMs = 50;

    /// <summary>Pings must stop within about a second of the deadline; this leaves room for the phase within the second.</summary>
    public const double StopGraceMs = 1500;

    public static bool IsOnTime(double intervalMs) => Math.Abs(intervalMs - PingIntervalMs) <= IntervalToleranceMs;
}
