namespace TixTrigger.Bench.Nodes;

/// <summary>A CPU limit for a node: <see cref="Cores"/> of CPU time, in a cgroup named after <see cref="GroupPrefix"/> and the node.</summary>
internal readonly record struct CpuQuota(double Cores, string GroupPrefix);
