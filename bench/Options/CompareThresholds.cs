namespace TixTrigger.Bench.Options;

/// <summary>What the service must achieve in a comparison; each is an option (see --help for what each measures).</summary>
internal sealed record CompareThresholds
{
    /// <summary>The reference's own fraction instead when that is lower: a noisy machine is not the service's fault.</summary>
    public double OnTime { get; init; } = 0.999;

    public int MissedClients { get; init; }

    public double FirstPingP99Ms { get; init; } = 1100;

    public double CpuRatio { get; init; } = 1.3;

    public double RssPerClientKib { get; init; } = 2.5;

    public double IdleRssMib { get; init; } = 120;

    public double IdleCpuPercent { get; init; } = 0.5;
}
