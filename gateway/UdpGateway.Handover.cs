using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.State;
using TixTrigger.Gateway.Udp;
using TixTrigger.Time;

namespace TixTrigger.Gateway;

/// <summary>
/// What a gateway process handing over gives its successor: its UDP socket, its clients (the bytes of
/// a <see cref="GatewayImage"/>, see <see cref="GatewayStateFormat"/>), and the cut-over it picked:
/// the first slot the successor pings (it pings none from then on).
/// </summary>
internal sealed record GatewayTakeover(IDatagramSocket Socket, ReadOnlyMemory<byte> State, Func<Task<long>> FirstSlot)
{
    /// <exception cref="InvalidDataException">The bytes are not a whole image of this version.</exception>
    public GatewayImage ReadClients()
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(State, out var segment) ? segment : new ArraySegment<byte>(State.ToArray());
        using var stream = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false);
        return GatewayStateFormat.Read(stream);
    }
}

/// <summary>
/// Handing over to a new process with the same settings (an upgrade): the old one stops receiving
/// (datagrams wait in the shared socket's queue for the successor), gives its clients, picks the
/// cut-over slot and pings every slot before it (none after), then stops without a word to the cluster: the clients, the shards and
/// the GATEWAY_ID are the successor's now.
/// </summary>
public sealed partial class UdpGateway
{
    /// <summary>How long a stop waits for a hand-over under way to end, before giving it up (and as long again after).</summary>
    internal static readonly TimeSpan HandOffWait = TimeSpan.FromSeconds(5);

    private readonly Lock _handOffGate = new();
    private bool _stopRequested;
    private Task<bool>? _handOff;
    private CancellationTokenSource? _handOffCancel;

    private volatile bool _handingOff;
    private volatile bool _handedOff;
    private int _released;

    /// <summary>The socket, whose descriptor a hand-over passes on.</summary>
    internal IDatagramSocket Socket => _socket ?? throw new InvalidOperationException("The gateway has not started.");

    /// <summary>The sender has pinged every slot before a cut-over and waits at it: the hand-off race test's sync point (through InternalsVisibleTo).</summary>
    internal bool SenderWaitsAtCutOver => _scheduler?.WaitingAtMark ?? false;

    /// <summary>
    /// Predecessor side, the whole hand-over: <paramref name="send"/> gets the clients' bytes (after
    /// receiving has stopped), <paramref name="agreeFirstSlot"/> agrees the successor's first slot (marked here before
    /// the successor hears it: the function given to it returns the slot to tell, later than the one asked if the sender
    /// had already reached that); then this process stops pinging before it. If either fails, this process receives and saves
    /// again (the successor never pinged) and the error goes on to the caller. A <see cref="StopAsync"/> meanwhile waits for it.
    /// </summary>
    internal async Task HandOffAsync(Func<ReadOnlyMemory<byte>, CancellationToken, Task> send, Func<Func<long, long>, CancellationToken, Task> agreeFirstSlot, CancellationToken cancel)
    {
        var ended = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        lock (_handOffGate)
        {
            // Stopping already: the stop announces, flushes and detaches; a successor must not take over half of that.
            if (_stopRequested) throw new OperationCanceledException("The gateway is stopping.");
            _handOff = ended.Task;
            _handOffCancel = giveUp;
        }
        try
        {
            await HandOffStepsAsync(send, agreeFirstSlot, giveUp.Token);
            ended.SetResult(true);
        }
        catch
        {
            ended.SetResult(false);
            throw;
        }
        finally
        {
            lock (_handOffGate) _handOffCancel = null;
        }
    }

    private async Task HandOffStepsAsync(Func<ReadOnlyMemory<byte>, CancellationToken, Task> send, Func<Func<long, long>, CancellationToken, Task> agreeFirstSlot, CancellationToken cancel)
    {
        var image = BeginHandOff();
        try
        {
            using var bytes = new MemoryStream(GatewayStateFormat.HeaderBytes + image.Count * GatewayStateFormat.RecordBytes + 4096);
            GatewayStateFormat.Write(bytes, image);
            await send(bytes.GetBuffer().AsMemory(0, (int)bytes.Length), cancel);
            // The cut-over is marked before the successor hears it: whatever the delays, no slot twice, none skipped.
            await agreeFirstSlot(slot => _scheduler!.MarkStopBefore(slot), cancel);
        }
        catch
        {
            AbortHandOff();
            throw;
        }
        await CompleteHandOffAsync();
    }

    /// <summary>
    /// Predecessor side, first step: stops receiving (after the batch in hand: what the kernel queued
    /// waits for the successor) and saving; returns every client, including all this process has
    /// read. Pinging and the cluster's loops go on.
    /// </summary>
    internal GatewayImage BeginHandOff()
    {
        var mirror = _mirror ?? throw new InvalidOperationException("The gateway has not started.");
        _handingOff = true;
        _receiver?.Stop(drain: false);
        _saver?.Stop();
        var clients = new List<SavedClient>(mirror.Count);
        mirror.Export(Monotonic.NowMs(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), new SavedClient[MirrorShard.EntriesPerHold], (chunk, count) => clients.AddRange(chunk.AsSpan(0, count)));
        LogHandingOff(_options.GatewayId, clients.Count);
        return new GatewayImage
        {
            Clients = [.. clients],
            Count = clients.Count,
            TakenAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            PingOriginTimestamp = _scheduler!.Origin,
        };
    }

    /// <summary>
    /// Predecessor side, last step, once the successor heard the cut-over marked in the sender: this one sends every slot
    /// before it and no other, then ends its loops. No stop is announced, no client handed to the cluster, nothing detached;
    /// a refusal by the shards from now on is expected. The host may stop after.
    /// </summary>
    private async Task CompleteHandOffAsync()
    {
        _handedOff = true;
        var scheduler = _scheduler!;
        // The cut-over is tens of milliseconds ahead, or past; a bound, should it be wrong.
        await Task.Run(() => scheduler.StopAtMark(TimeSpan.FromSeconds(2)));
        _stopping.Cancel();
        await AwaitQuietly(_announcing, "announcing");
        await AwaitQuietly(_flushing, "registering");
        // The clients as handed over, for a restart should the successor die before its own first save: it cannot
        // save until this process lets go of the file, so this never overwrites a newer one. Past the cut-over,
        // nothing may keep this process from ending as handed over.
        try
        {
            _saver?.TrySave();
            _stateFile?.Dispose();
        }
        catch (Exception error)
        {
            LogHandOffSaveFailed(error);
        }
        LogHandedOff(_options.GatewayId);
    }

    /// <summary>Predecessor side: the successor failed before it pinged; this process receives and saves again.</summary>
    private void AbortHandOff()
    {
        if (!_handingOff || _handedOff) return;
        // A cut-over the successor never heard of: the sender, waiting at the mark if it got there, goes on from that slot.
        _scheduler!.MarkStopBefore(long.MaxValue);
        _receiver = new Heartbeats.HeartbeatReceiver(_socket!, _mirror!, Metrics, _logger);
        _receiver.Start();
        _saver?.Start();
        _handingOff = false;
        LogHandOffAborted(_options.GatewayId);
    }

    /// <summary>
    /// Stopping during a hand-over (a SIGTERM while a successor takes over): waits for it to end, giving it up after
    /// <see cref="HandOffWait"/>. True when handed off, false when it failed (stop as usual), null when it still runs.
    /// </summary>
    private async Task<bool?> WaitForHandOffAsync(Task<bool> handOff)
    {
        if (await Ends(handOff)) return handOff.Result;
        LogHandOffGivenUp(_options.GatewayId, HandOffWait.TotalSeconds);
        lock (_handOffGate) _handOffCancel?.Cancel();
        if (await Ends(handOff)) return handOff.Result;
        return null;

        static async Task<bool> Ends(Task<bool> task) => await Task.WhenAny(task, Task.Delay(HandOffWait)) == task;
    }

    private void ReleaseAfterHandOff()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        _socket?.Dispose(); // this process's descriptor only: the successor has its own
        Metrics.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {GatewayId} handing over {Clients} clients to a new process")]
    private partial void LogHandingOff(string gatewayId, int clients);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving the handed-over clients failed; the successor saves its own")]
    private partial void LogHandOffSaveFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {GatewayId} handed over: the new process pings its clients")]
    private partial void LogHandedOff(string gatewayId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway {GatewayId}: the hand-over failed; this process goes on receiving and pinging")]
    private partial void LogHandOffAborted(string gatewayId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway {GatewayId} is asked to stop during a hand-over that has not ended within {Seconds} s: giving it up")]
    private partial void LogHandOffGivenUp(string gatewayId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "GATEWAY_ID {GatewayId} is held by the process this one handed over to, at {Holder}: as expected")]
    private partial void LogRefusedAfterHandOff(string gatewayId, string holder);
}
