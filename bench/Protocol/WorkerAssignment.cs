namespace TixTrigger.Bench.Protocol;

/// <summary>
/// What the coordinator hands a worker process on its first stdin line: its slice of the
/// clients and everything needed to lay them out exactly as if one process ran them all.
/// </summary>
internal sealed record WorkerAssignment
{
    public required int WorkerIndex { get; init; }

    public required string[] Targets { get; init; }

    /// <summary>Empty: each client binds to the loopback address of its target's family.</summary>
    public required string[] BindAddresses { get; init; }

    public required int TotalClients { get; init; }

    public required int FirstClient { get; init; }

    public required int ClientCount { get; init; }

    public required double HeartbeatSeconds { get; init; }

    public required double DurationSeconds { get; init; }

    public required double SpreadSeconds { get; init; }

    public double? StopHalfAfterSeconds { get; init; }

    public double? ExpirySeconds { get; init; }

    /// <summary>How long the receiver lets datagrams gather between reads; arrival times are the kernel's either way.</summary>
    public int ReadIntervalMs { get; init; }
}
