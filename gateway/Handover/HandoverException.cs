namespace TixTrigger.Gateway.Handover;

/// <summary>A hand-over that cannot go on: the peer refused, hung up, sent nonsense or took too long. The message is one line for an operator.</summary>
public sealed class HandoverException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The hand-over's failure in what a host's start threw (it wraps what its services threw), if that was it.</summary>
    public static HandoverException? Find(Exception? error) => error switch
    {
        null => null,
        HandoverException handover => handover,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find).FirstOrDefault(found => found is not null),
        _ => Find(error.InnerException),
    };
}
