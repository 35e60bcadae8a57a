using System.Net;

namespace TixTrigger.Bench.Options;

/// <summary>What the user asked for, already parsed and validated.</summary>
internal sealed record BenchOptions
{
    /// <summary>Service endpoints; clients are spread over them round-robin. Empty with <see cref="SelfCheck"/>.</summary>
    public IReadOnlyList<IPEndPoint> Targets { get; init; } = [];

    /// <summary>Local addresses for the client sockets; empty means the loopback address of each target's family.</summary>
    public IReadOnlyList<IPAddress> BindAddresses { get; init; } = [];

    public int Clients { get; init; } = 100;

    public double HeartbeatSeconds { get; init; } = 5;

    public double DurationSeconds { get; init; } = 30;

    public double SpreadSeconds { get; init; } = 1;

    public double? StopHalfAfterSeconds { get; init; }

    /// <summary>The service's CLIENT_EXPIRATION_SECONDS, which the stop-half check measures against.</summary>
    public double? ExpirySeconds { get; init; }

    public double RequireWithin { get; init; } = 0.99;

    /// <summary>
    /// Fewer, larger workers cost less CPU (fewer runtimes and threads waking up); 10,000 sockets stay
    /// well under the 20,000 files a process may open here.
    /// </summary>
    public int ClientsPerWorker { get; init; } = 10_000;

    /// <summary>Reading in batches wakes the bench less often, leaving the cores to the service; arrival times are the kernel's either way.</summary>
    public int ReadIntervalMs { get; init; } = 5;

    public double WaitQuietSeconds { get; init; }

    public bool AllowNonLoopback { get; init; }

    public bool SelfCheck { get; init; }

    /// <summary>With --compare: start the service and the reference pinger, one after the other, and compare them under this load.</summary>
    public ComparisonOptions? Comparison { get; init; }

    public bool StopsHalf => StopHalfAfterSeconds is not null;
}
