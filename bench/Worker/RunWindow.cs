using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Worker;

/// <summary>The run's instants on the Stopwatch clock.</summary>
internal readonly record struct RunWindow(long Start, long End, long? StopAt, long? Expiry)
{
    public static RunWindow Of(WorkerAssignment assignment, long start) => new(
        start,
        start + StopwatchTime.FromSeconds(assignment.DurationSeconds),
        assignment.StopHalfAfterSeconds is { } stop ? start + StopwatchTime.FromSeconds(stop) : null,
        assignment.ExpirySeconds is { } expiry ? StopwatchTime.FromSeconds(expiry) : null);
}
