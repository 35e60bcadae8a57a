using Microsoft.Extensions.Logging;

namespace TixTrigger.Hosting;

/// <summary>
/// Once a node is stopping, the framework's own warnings are expected, not alarming: calls to
/// nodes that leave at the same time fail ("Failed to address message", "Exception calling remote
/// client directory", client reconnection retries). They are muted from then on, and the node's
/// "stopping" line says so, instead of a screen of stack traces on every SIGTERM.
/// </summary>
public sealed class StopQuieting
{
    private volatile bool _stopping;

    public void Begin() => _stopping = true;

    /// <summary>Whether a framework event at <paramref name="level"/> is kept: always before stopping, only critical ones after.</summary>
    public bool Keeps(LogLevel level) => !_stopping || level >= LogLevel.Critical;
}
