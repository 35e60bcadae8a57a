namespace TixTrigger.Gateway.Handover;

/// <summary>A hand-over that cannot go on: the peer refused, hung up, sent nonsense or took too long. The message is one line for an operator.</summary>
public sealed class HandoverException(string message, Exception? inner = null) : Exception(message, inner);
