using Microsoft.Extensions.Logging;

namespace TixTrigger.Tasks;

public static partial class FireAndForgetExtensions
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
                if (ClusterErrors.IsOutage(error)) LogOutage(logger, doing, error.Message);
                else LogFailed(logger, error, doing);
            },
            (logger, doing),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed {Doing}: {Error}")]
    private static partial void LogOutage(ILogger logger, string doing, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed {Doing}")]
    private static partial void LogFailed(ILogger logger, Exception error, string doing);
}
