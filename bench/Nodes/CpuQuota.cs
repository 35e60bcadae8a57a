namespace TixTrigger.Bench.Nodes;

/// <summary>
/// A CPU limit for a node: <see cref="Cores"/> of CPU time per CFS period of <see cref="PeriodMicroseconds"/>,
/// in a cgroup named after <see cref="GroupPrefix"/> and the node.
/// </summary>
internal readonly record struct CpuQuota(double Cores, int PeriodMicroseconds, string GroupPrefix);
