namespace TixTrigger.Bench.Coordination;

/// <summary>A worker could not run or did not report: the bench has no measurement to judge.</summary>
internal sealed class WorkerFailedException(string message) : Exception(message);
