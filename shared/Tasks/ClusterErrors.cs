using System.Net.Sockets;

namespace TixTrigger.Tasks;

/// <summary>
/// Tells an outage from a bug: a call that timed out or found no silo, gateway or connection is the
/// cluster being away (retried, logged in one line); anything else is a bug in this service, logged
/// with its stack so that a retry loop never hides it as an outage.
/// </summary>
public static class ClusterErrors
{
    public static bool IsOutage(Exception error) => error switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => IsOutage(aggregate.InnerExceptions[0]),
        TimeoutException or OperationCanceledException or SocketException or IOException => true,
        // The runtime's own failures: rejected messages, unavailable silos, lost connections.
        OrleansException => true,
        _ => false,
    };
}
