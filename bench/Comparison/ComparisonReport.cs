using TixTrigger.Bench.Options;

namespace TixTrigger.Bench.Comparison;

/// <summary>A comparison's figures and verdict: what the table shows and the JSON line carries.</summary>
internal sealed record ComparisonReport
{
    public bool Pass { get; init; }

    public IReadOnlyList<string> Failures { get; init; } = [];

    public required string Topology { get; init; }

    public required int Clients { get; init; }

    public required double HeartbeatSeconds { get; init; }

    public required double SpreadSeconds { get; init; }

    public required double DurationSeconds { get; init; }

    public required IReadOnlyList<string> BindAddresses { get; init; }

    public required SubjectFigures? Service { get; init; }

    public required SubjectFigures? Reference { get; init; }

    public required ComparisonRatios? Ratios { get; init; }

    public required CompareThresholds Thresholds { get; init; }

    /// <summary>The on-time fraction the service had to reach: the threshold, or the reference's own when that was lower.</summary>
    public required double RequiredOnTime { get; init; }

    public required string LogDirectory { get; init; }
}
