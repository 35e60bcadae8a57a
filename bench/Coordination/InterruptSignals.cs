using System.Runtime.InteropServices;

namespace TixTrigger.Bench.Coordination;

/// <summary>
/// Turns Ctrl-C, SIGTERM and SIGHUP into a cancellation, so the coordinator unwinds through its
/// cleanup and kills its workers instead of dying with them still running.
/// </summary>
internal sealed class InterruptSignals : IDisposable
{
    private readonly CancellationTokenSource _interrupted = new();
    private readonly PosixSignalRegistration[] _registrations;

    public InterruptSignals()
    {
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(signal => PosixSignalRegistration.Create(signal, Interrupt))];
    }

    public CancellationToken Token => _interrupted.Token;

    private void Interrupt(PosixSignalContext context)
    {
        context.Cancel = true;
        _interrupted.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _interrupted.Dispose();
    }
}
