using System.Diagnostics;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Coordination;

/// <summary>
/// All the worker processes of one run. Disposing it kills whichever are still running, so every
/// way out of the coordinator (done, failed, interrupted) leaves no worker behind.
/// </summary>
internal sealed class WorkerFleet : IDisposable
{
    private readonly List<WorkerProcess> _workers = [];

    public static WorkerFleet Start(IEnumerable<WorkerAssignment> assignments)
    {
        var fleet = new WorkerFleet();
        try
        {
            foreach (var assignment in assignments) fleet._workers.Add(WorkerProcess.Start(assignment));
        }
        catch
        {
            fleet.Dispose();
            throw;
        }
        return fleet;
    }

    public int Count => _workers.Count;

    public Task WaitReadyAsync(TimeSpan limit, CancellationToken cancellation) =>
        WithinAsync(limit, cancellation, "to get ready", token => Task.WhenAll(_workers.Select(worker => worker.WaitReadyAsync(token))));

    /// <summary>Starts every worker at one instant on the shared monotonic clock, a little ahead so all have heard it.</summary>
    public long Go(TimeSpan lead)
    {
        long start = Stopwatch.GetTimestamp() + StopwatchTime.FromSeconds(lead.TotalSeconds);
        foreach (var worker in _workers) worker.Go(start);
        return start;
    }

    public Task<WorkerSummary[]> CollectAsync(TimeSpan limit, CancellationToken cancellation) =>
        WithinAsync(limit, cancellation, "to report", token => Task.WhenAll(_workers.Select(worker => worker.ReadSummaryAsync(token))));

    private static async Task<T> WithinAsync<T>(TimeSpan limit, CancellationToken cancellation, string what, Func<CancellationToken, Task<T>> work)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        try
        {
            return await work(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new CannotMeasureException($"workers took longer than {limit.TotalSeconds:F0} s {what}");
        }
    }

    private static async Task<bool> WithinAsync(TimeSpan limit, CancellationToken cancellation, string what, Func<CancellationToken, Task> work) =>
        await WithinAsync(limit, cancellation, what, async token =>
        {
            await work(token);
            return true;
        });

    public void Dispose()
    {
        foreach (var worker in _workers) worker.Dispose();
    }
}
