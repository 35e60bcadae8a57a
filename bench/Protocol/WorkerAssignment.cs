namespace TixTrigger.Bench.Protocol;

/// <summary>
/// What the coordinator hands a worker process on its first stdin line: its slice of the
/// clients and everything needed to lay them out exactly as if one process ran them all.
/// </summary>
/// <param name="BindAddresses">Empty: each client binds to the loopback address of its target's family.</param>
/// <param name="ReadIntervalMs">How long the receiver lets datagrams gather between reads; arrival times are the kernel's either way.</param>
internal sealed record WorkerAssignment(
    int WorkerIndex, string[] Targets, string[] BindAddresses, int TotalClients, int FirstClient, int ClientCount,
    double HeartbeatSeconds, double DurationSeconds, double SpreadSeconds, double? StopHalfAfterSeconds, double? ExpirySeconds, int ReadIntervalMs);
