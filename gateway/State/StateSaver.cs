using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Time;

namespace TixTrigger.Gateway.State;

/// <summary>
/// Keeps the gateway's snapshot (<see cref="StateFile"/>) close behind its mirror, on its own thread
/// at low priority, never on the receiving or sending path: within a second of a client being added
/// or removed, so a crash loses at most the last second's sign-ups (a later heartbeat brings those
/// back); and when only deadlines moved, as often as the shard grains hear of them (the refresh lag),
/// as a restored deadline that lags by that much still has most of its expiry ahead.
/// </summary>
internal sealed partial class StateSaver(StateFile file, PingMirror mirror, Func<long> pingOrigin, ILogger logger)
{
    /// <summary>The longest a new client waits to be in the file.</summary>
    public static readonly TimeSpan MembershipInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly ManualResetEventSlim _stop = new();
    private readonly Lock _saving = new();

    // Reused by every save: a chunk copied out of a shard under its lock, written after.
    private readonly SavedClient[] _chunk = new SavedClient[MirrorShard.EntriesPerHold];
    private Thread? _thread;
    private (long Membership, long Deadlines) _saved = (-1, -1);
    private long _savedAtMs;
    private bool _lockRefusedLogged;
    private bool _failureLogged;

    /// <summary>The last save: clients, bytes, how long it took.</summary>
    public (int Clients, long Bytes, TimeSpan Elapsed) LastSave { get; private set; }

    public void Start()
    {
        _stop.Reset();
        _thread = new Thread(Run) { IsBackground = true, Name = "tixtrigger-state", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    /// <summary>Stops saving (a save under way finishes first).</summary>
    public void Stop()
    {
        _stop.Set();
        _thread?.Join();
        _thread = null;
    }

    private void Run()
    {
        while (!_stop.Wait(NextPoll()))
        {
            var changes = mirror.Changes;
            long since = Monotonic.NowMs() - _savedAtMs;
            bool due = (changes.Membership != _saved.Membership && since >= MembershipInterval.TotalMilliseconds)
                || (changes.Deadlines != _saved.Deadlines && since >= mirror.Context.RefreshLagMs);
            if (due) TrySave();
        }
    }

    /// <summary>
    /// An empty mirror already saved as such can change only by a first client: polling each second
    /// still saves it within <see cref="MembershipInterval"/>, with a tenth of the wake-ups of an idle node.
    /// </summary>
    private TimeSpan NextPoll() => mirror.Context.Occupancy.IsEmpty && mirror.Changes == _saved ? MembershipInterval : Poll;

    /// <summary>Saves now, if this process holds the file; false when it could not.</summary>
    public bool TrySave()
    {
        lock (_saving)
        {
            if (!file.TryLock())
            {
                if (!_lockRefusedLogged) LogLockHeld(file.Path);
                _lockRefusedLogged = true;
                return false;
            }
            try
            {
                var changes = mirror.Changes; // before the walk: a change during it makes the next save due
                var started = Stopwatch.GetTimestamp();
                int clients = 0;
                long bytes = file.Save(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), pingOrigin(), writer =>
                {
                    WriteClients(mirror, writer, _chunk);
                    clients = writer.Count;
                });
                LastSave = (clients, bytes, Stopwatch.GetElapsedTime(started));
                _saved = changes;
                _savedAtMs = Monotonic.NowMs();
                _failureLogged = false;
                LogSaved(clients, bytes, (long)LastSave.Elapsed.TotalMilliseconds);
                return true;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                if (!_failureLogged) LogSaveFailed(error, file.Path);
                _failureLogged = true;
                _savedAtMs = Monotonic.NowMs();
                return false;
            }
        }
    }

    /// <summary>Every client of <paramref name="mirror"/> into <paramref name="writer"/>, written outside the shards' locks.</summary>
    internal static void WriteClients(PingMirror mirror, StateWriter writer, SavedClient[] chunk) =>
        mirror.Export(Monotonic.NowMs(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), chunk, (clients, count) =>
        {
            for (int i = 0; i < count; i++) writer.Add(clients[i]);
        });

    [LoggerMessage(Level = LogLevel.Debug, Message = "Saved {Clients} clients ({Bytes} bytes) in {Ms} ms")]
    private partial void LogSaved(int clients, long bytes, long ms);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Path} is held by another live process (the same GATEWAY_ID and STATE_DIR; during a hand-over, the one handing over): this one saves its clients there once that process is gone")]
    private partial void LogLockHeld(string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Saving the clients to {Path} failed; a restart would forget the clients since the last save (retrying every second)")]
    private partial void LogSaveFailed(Exception error, string path);
}
