using Microsoft.Extensions.Logging;
using TixTrigger.Tasks;

namespace TixTrigger.Gateway.Cluster;

/// <summary>
/// How the gateway's loops that talk to the cluster log a failed call: an outage (the cluster away, a
/// silo dying) as one warning every few seconds, since pinging goes on from the mirror and the call is
/// retried; anything else is a bug, logged every time with its stack so that a retry never hides it.
/// </summary>
/// <param name="target">What the calls go to, as a log line names it: "The gateway registry", "Shard", "Client partition".</param>
internal sealed partial class ClusterFailureLog(ILogger logger, string target)
{
    private readonly LogThrottle _throttle = new();

    public void Failed(Exception error)
    {
        if (!ClusterErrors.IsOutage(error)) LogBug(error, target);
        else if (_throttle.ShouldLog()) LogUnreachable(target, error.Message);
    }

    /// <summary>A call to one of several grains of the kind (a shard, a partition), named by its index.</summary>
    public void Failed(Exception error, int index)
    {
        if (!ClusterErrors.IsOutage(error)) LogBugOf(error, target, index);
        else if (_throttle.ShouldLog()) LogUnreachableOf(target, index, error.Message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Target} is unreachable for now; pinging goes on from the mirror, and the call is retried: {Error}")]
    private partial void LogUnreachable(string target, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A call to {Target} failed (a bug, not an outage); it is retried")]
    private partial void LogBug(Exception error, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Target} {Index} is unreachable for now; pinging goes on from the mirror, and the call is retried: {Error}")]
    private partial void LogUnreachableOf(string target, int index, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A call to {Target} {Index} failed (a bug, not an outage); it is retried")]
    private partial void LogBugOf(Exception error, string target, int index);
}
