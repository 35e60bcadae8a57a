namespace TixTrigger.Bench.Options;

/// <summary>What the service must achieve in a comparison (issue 6's "done when"); each is an option.</summary>
internal sealed record CompareThresholds
{
    /// <summary>Fraction of intervals within 1000 ± 50 ms; the reference's own fraction instead when that is lower (a noisy machine).</summary>
    public double OnTime { get; init; } = 0.999;

    /// <summary>Clients allowed to miss a ping (a gap over 1.5 s, or no ping at all).</summary>
    public int MissedClients { get; init; }

    public double FirstPingP99Ms { get; init; } = 1100;

    /// <summary>Per-client cost: the service's CPU over its idle CPU, per 1,000 pings/s, over the same figure of the reference.</summary>
    public double CpuRatio { get; init; } = 1.3;

    /// <summary>Per-client cost: RSS with the clients minus RSS idle, over all the service's processes, per client.</summary>
    public double RssPerClientKib { get; init; } = 2.5;

    /// <summary>Fixed cost: each service process's idle RSS (issue 16: an idle single node under 120 MiB).</summary>
    public double IdleRssMib { get; init; } = 120;

    /// <summary>Fixed cost: each service process's idle CPU, in percent of a core (issue 16: under 0.5 % for a single node).</summary>
    public double IdleCpuPercent { get; init; } = 0.5;
}
