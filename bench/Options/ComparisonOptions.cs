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

    /// <summary>When set, each gateway (and each reference pinger) runs in its own cgroup with this many cores of CPU time.</summary>
    public double? GatewayCpuQuota { get; init; }

    /// <summary>When set, each silo runs in its own cgroup with this many cores of CPU time (single node: the one silo, gateway built in).</summary>
    public double? SiloCpuQuota { get; init; }

    /// <summary>
    /// The CFS period of the quota groups. Shorter than the kernel's 100 ms default, so that a quota
    /// limits how much CPU a node gets rather than stalling it for most of a period after a burst,
    /// which alone would push pings past ±50 ms; 100 reproduces what a container runtime does.
    /// </summary>
    public double CpuPeriodMs { get; init; } = 10;

    public string CgroupPrefix { get; init; } = $"tixtrigger-bench-{Environment.ProcessId}";

    /// <summary>Extra settings for the service's nodes (not the reference), e.g. WORKER_POOL_SIZE=20.</summary>
    public IReadOnlyDictionary<string, string> ServiceEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// How long a subject that is ready is left alone before its idle cost is sampled: a .NET node
    /// spends its first minute or so compiling (tiered JIT) what its timers call, which is not what it costs idle.
    /// </summary>
    public double IdleAfterSeconds { get; init; } = 60;

    /// <summary>How long the idle nodes' memory and CPU are sampled before the load starts.</summary>
    public double IdleSeconds { get; init; } = 10;

    /// <summary>Cluster only: time for the gateways to connect and announce themselves after they listen.</summary>
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
