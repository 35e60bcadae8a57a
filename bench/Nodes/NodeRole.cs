namespace TixTrigger.Bench.Nodes;

/// <summary>What a node is to the measurement: whose CPU and memory are counted, and as what.</summary>
internal enum NodeRole
{
    /// <summary>A silo or gateway of the service: counted as the service.</summary>
    Service,

    /// <summary>The bare reference pinger: counted as the reference.</summary>
    Reference,

    /// <summary>Needed but not measured as either (redis-server): shown on its own.</summary>
    Support,
}
