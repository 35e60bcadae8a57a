using TixTrigger.Gateway;
using TixTrigger.Gateway.Udp;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// A successor gateway in this process, started as a real one is: on a thread of its own, and
/// <see cref="Ready"/> once it waits for its first slot, before which the old one must not mark the
/// cut-over (a real successor's Ready comes first). Queued on a busy thread pool instead, it could
/// start after its first slot was due and ping it late.
/// </summary>
internal sealed class SuccessorStart
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SuccessorStart(UdpGateway successor, IDatagramSocket socket, byte[] clients, Task<long> firstSlot)
    {
        new Thread(() =>
        {
            try
            {
                successor.Start(new GatewayTakeover(socket, clients, () =>
                {
                    _ready.TrySetResult();
                    return firstSlot;
                }));
                _started.SetResult();
            }
            catch (Exception error)
            {
                _ready.TrySetException(error);
                _started.SetException(error);
            }
        }) { IsBackground = true, Name = "test-successor-start" }.Start();
    }

    /// <summary>Waiting for its first slot: the old one may mark the cut-over now.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Started: pinging from its first slot.</summary>
    public Task Started => _started.Task;
}
