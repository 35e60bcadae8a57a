namespace TixTrigger.Bench.Nodes;

/// <summary>A node would not start, stopped early, or the build to run is missing: nothing to measure.</summary>
internal sealed class NodeFailedException(string message) : Exception(message);
