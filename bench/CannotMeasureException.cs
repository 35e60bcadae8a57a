namespace TixTrigger.Bench;

/// <summary>A worker or node could not run or did not report, or the build to run is missing: nothing to judge (exit code 2).</summary>
internal sealed class CannotMeasureException(string message) : Exception(message);
