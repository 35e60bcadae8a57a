using Microsoft.Extensions.Logging;

namespace TixTrigger.Tasks;

public static class FireAndForgetExtensions
{
    /// <summary>
    /// The one way this service starts work it does not wait for: the task runs on, and its failure
    /// is logged, saying what was being done, instead of going unobserved: an outage in one line at
    /// warning, a bug with its stack at error (<see cref="ClusterErrors"/>).
    /// </summary>
    public static void FireAndForget(this Task task, ILogger logger, string doing)
    {
        if (task.IsCompletedSuccessfully) return;
        _ = task.ContinueWith(
            static (failed, state) =>
            {
                var (logger, doing) = ((ILogger, string))state!;
                var error = failed.Exception!.GetBaseException();
                if (ClusterErrors.IsOutage(error)) logger.LogWarning("Failed {Doing}: {Error}", doing, error.Message);
                else logger.LogError(error, "Failed {Doing}", doing);
            },
            (logger, doing),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
