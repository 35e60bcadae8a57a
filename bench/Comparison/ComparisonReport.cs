using TixTrigger.Bench.Options;

namespace TixTrigger.Bench.Comparison;

/// <summary>A comparison's figures and verdict: what the table shows and the JSON line carries.</summary>
internal sealed class ComparisonReport(BenchOptions load, ComparisonOptions comparison, SubjectFigures? service, SubjectFigures? reference, string logDirectory)
{
    public bool Pass => Failures.Count == 0;

    public IReadOnlyList<string> Failures => field ??= ComparisonVerdict.Failures(this);

    public string Topology => comparison.Topology.ToString().ToLowerInvariant();

    public int Clients => load.Clients;

    public double HeartbeatSeconds => load.HeartbeatSeconds;

    public double SpreadSeconds => load.SpreadSeconds;

    public double DurationSeconds => load.DurationSeconds;

    public IReadOnlyList<string> BindAddresses => [.. load.BindAddresses.Select(address => address.ToString())];

    public SubjectFigures? Service => service;

    public SubjectFigures? Reference => reference;

    public ComparisonRatios? Ratios => field ??= service is not null && reference is not null ? new ComparisonRatios(service, reference) : null;

    public CompareThresholds Thresholds => comparison.Thresholds;

    /// <summary>The on-time fraction the service had to reach: the threshold, or the reference's own when that was lower.</summary>
    public double RequiredOnTime => ComparisonVerdict.RequiredOnTime(comparison.Thresholds, reference);

    public string LogDirectory => logDirectory;
}
