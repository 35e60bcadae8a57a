namespace TixTrigger.Tests.Simulation;

/// <summary>Which ownership protocol the glue adapters model.</summary>
internal enum Protocol
{
    /// <summary>main before issue 15: a partition that comes back empty "recovers" for the longest TTL + 60 s, asking every other gateway to let go (claim long.MaxValue); claim ids from the wall clock.</summary>
    RecoveryWindow,

    /// <summary>/work/notes/protocol.md: partition epochs (Claim and Watch return them, a gateway re-claims on a new one), claim ids from an epoch granted by shard 0, claims held until their shard is synced, releases retried.</summary>
    Epochs,
}

/// <summary>One run's shape: the nodes, the clients, what goes wrong and how often.</summary>
internal sealed record SimConfig
{
    public Protocol Protocol { get; init; } = Protocol.Epochs;
    public int Gateways { get; init; } = 3;
    public int ShardsPerGateway { get; init; } = 2;
    public int Silos { get; init; } = 2;
    public int Clients { get; init; } = 6;

    /// <summary>How many client partitions the clients share.</summary>
    public int Partitions { get; init; } = 3;
    public int ExpirySeconds { get; init; } = 30;
    public long DurationMs { get; init; } = 240_000;
    public int HeartbeatIntervalMs { get; init; } = 5_000;
    public Faults Faults { get; init; } = new();

    /// <summary>Mean time between events of each kind, over the whole run (0: never); moves per client, between this and 25 times this.</summary>
    public int MoveEveryMs { get; init; } = 8_000;
    public int QuietEveryMs { get; init; } = 40_000;
    public int GatewayCrashEveryMs { get; init; } = 60_000;
    public int SiloCrashEveryMs { get; init; } = 90_000;
    public int PartitionLossEveryMs { get; init; } = 45_000;

    /// <summary>On a gateway restart, how far its wall clock may have stepped back (matters to wall-clock claim ids only).</summary>
    public int ClockStepBackMaxMs { get; init; } = 0;

    /// <summary>A second process with the same GATEWAY_ID, started at a random time on another host (0: never).</summary>
    public bool Twin { get; init; }

    /// <summary>Whether shard 0 fences a GATEWAY_ID (protocol.md item 2); without it, twins steal each other's ticks.</summary>
    public bool Fence { get; init; } = true;

    /// <summary>Messages in flight to a grain whose silo crashes are lost with it (as Orleans does), or delivered to its next activation.</summary>
    public bool CrashLosesInFlight { get; init; } = true;
}
