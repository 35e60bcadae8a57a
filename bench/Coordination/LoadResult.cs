using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Coordination;

/// <summary>
/// A load run's findings, with the machine's busy CPU over the run's window (in processes, and in
/// interrupts) and the coordinator's own share of it (the workers report theirs in the summary).
/// </summary>
internal sealed record LoadResult(MergedSummary Merged, int Workers, double MachineBusySeconds, double MachineInterruptSeconds, double CoordinatorCpuSeconds);
