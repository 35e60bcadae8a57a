using Microsoft.Extensions.Logging;

namespace TixTrigger.Tasks;

public static class FireAndForgetExtensions
{
    /// <summary>
    /// The one way this service starts work it does not wait for: the task runs on, and its failure
    /// is logged (at warning, saying what was being done) instead of going unobserved.
    /// </summary>
    public static void FireAndForget(this Task task, ILogger logger, string doing)
    {
        if (task.IsCompletedSuccessfully) return;
        _ = task.ContinueWith(
            static (failed, state) =>
            {
                var (logger, doing) = ((ILogger, string))state!;
                logger.LogWarning("Failed {Doing}: {Error}", doing, failed.Exception?.GetBaseException().Message);
            },
            (logger, doing),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
