namespace TixTrigger.Bench.Options;

/// <summary>What <c>--compare</c> starts, how, and what the service must achieve against the reference.</summary>
internal sealed record ComparisonOptions
{
    public required Topology Topology { get; init; }

    /// <summary>The repository whose Release outputs are run (silo/, gateway/ under it).</summary>
    public required string ServiceRoot { get; init; }

    public Subjects Subjects { get; init; } = Subjects.Both;

    /// <summary>Cluster only: standalone gateways, each with its own UDP port (and one reference pinger each).</summary>
    public int Gateways { get; init; } = 2;

    public int Silos { get; init; } = 2;

    public double? GatewayCpuQuota { get; init; }

    public double? SiloCpuQuota { get; init; }

    /// <summary>
    /// Shorter than the kernel's 100 ms, so that a quota limits a node's CPU rather than stalling it
    /// for most of a period after a burst, which alone would push pings past ±50 ms.
    /// </summary>
    public double CpuPeriodMs { get; init; } = 10;

    public string CgroupPrefix { get; init; } = $"tixtrigger-bench-{Environment.ProcessId}";

    public IReadOnlyDictionary<string, string> ServiceEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// How long a subject that is ready is left alone before its idle cost is sampled: a .NET node
    /// spends its first minute or so compiling (tiered JIT) what its timers call, which is not what it costs idle.
    /// </summary>
    public double IdleAfterSeconds { get; init; } = 60;

    public double IdleSeconds { get; init; } = 10;

    public double SettleSeconds { get; init; } = 3;

    public string? LogDirectory { get; init; }

    public CompareThresholds Thresholds { get; init; } = new();
}

internal enum Topology
{
    /// <summary>One silo process with its built-in gateway, as `dotnet run --project silo` runs it.</summary>
    Single,

    /// <summary>redis-server, silos with Redis membership, standalone gateways: the README's one-machine cluster.</summary>
    Cluster,
}

/// <summary>Which subjects to run: normally both, one after the other.</summary>
internal enum Subjects
{
    Both,
    Service,
    Reference,
}
