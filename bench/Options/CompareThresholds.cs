namespace TixTrigger.Bench.Options;

/// <summary>What the service must achieve in a comparison (issue 6's "done when"); each is an option.</summary>
internal sealed record CompareThresholds
{
    /// <summary>Fraction of intervals within 1000 ± 50 ms; the reference's own fraction instead when that is lower (a noisy machine).</summary>
    public double OnTime { get; init; } = 0.999;

    /// <summary>Clients allowed to miss a ping (a gap over 1.5 s, or no ping at all).</summary>
    public int MissedClients { get; init; }

    public double FirstPingP99Ms { get; init; } = 1100;

    /// <summary>The service's CPU per 1,000 pings/s over the reference's.</summary>
    public double CpuRatio { get; init; } = 1.3;

    /// <summary>RSS with the clients minus RSS idle, over all the service's processes, per client.</summary>
    public double RssPerClientKib { get; init; } = 2.5;
}
