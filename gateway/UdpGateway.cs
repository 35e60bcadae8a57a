using System.Net;
using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Cluster;
using TixTrigger.Gateway.Heartbeats;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.Pinging;
using TixTrigger.Gateway.Udp;
using TixTrigger.Settings;

namespace TixTrigger.Gateway;

/// <summary>
/// The UDP face of the service: receives heartbeats, keeps the mirror of its shards, sends every
/// client its ping each second, and keeps the cluster informed in batches. Runs inside a silo
/// (single node) or as its own process with an Orleans client (cluster). It needs the cluster only
/// to share what it knows: it listens and pings from the moment it starts.
/// </summary>
public sealed partial class UdpGateway : IAsyncDisposable
{
    /// <summary>How long a stopping gateway spends handing its newest clients to the cluster.</summary>
    private static readonly TimeSpan FinalFlushLimit = TimeSpan.FromSeconds(2);

    /// <summary>How long a stopping gateway waits for the directory to hear that it listens nowhere any more.</summary>
    private static readonly TimeSpan FinalAnnouncementLimit = TimeSpan.FromSeconds(1);

    private readonly UdpGatewayOptions _options;
    private readonly IGrainFactory _grains;
    private readonly Func<bool> _connected;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private IDatagramSocket? _socket;
    private PingMirror? _mirror;
    private PingScheduler? _scheduler;
    private HeartbeatReceiver? _receiver;
    private ShardSynchronizer? _shards;
    private RegistrationFlusher? _registrations;
    private PeerGateways? _peers;
    private PartitionWatcher? _partitions;
    private volatile bool _fenced;
    private Task _announcing = Task.CompletedTask;
    private Task _flushing = Task.CompletedTask;

    /// <param name="connected">
    /// Whether the Orleans client has reached the cluster (a standalone gateway connects in the
    /// background); none for a gateway inside a silo, which always has it.
    /// </param>
    public UdpGateway(UdpGatewayOptions options, IGrainFactory grains, ILoggerFactory loggers, Func<bool>? connected = null)
    {
        _options = options;
        _grains = grains;
        _connected = connected ?? (() => true);
        _logger = loggers.CreateLogger<UdpGateway>();
        Metrics = new GatewayMetrics(options.GatewayId, () => ClientCount, () => _mirror?.ClaimsQueued ?? 0);
    }

    public GatewayMetrics Metrics { get; }

    /// <summary>Raised once, with where the holder listens, when another live process holds this GATEWAY_ID: this one has stopped pinging, and its host should exit.</summary>
    public event Action<string>? Refused;

    public IPEndPoint LocalEndpoint => _socket?.LocalEndpoint ?? throw new InvalidOperationException("The gateway has not started.");

    public int ClientCount => _mirror?.Count ?? 0;

    /// <summary>Shards this gateway is in step with.</summary>
    public int SyncedShards => _shards?.SyncedShards ?? 0;

    internal PingMirror Mirror => _mirror ?? throw new InvalidOperationException("The gateway has not started.");

    /// <summary>Lets a failover test hand a shard's tick straight to the synchronizer (through InternalsVisibleTo).</summary>
    internal ShardSynchronizer Synchronizer => _shards ?? throw new InvalidOperationException("The gateway has not started.");

    public void Start() => Start(from: null);

    /// <summary>
    /// Starts listening and pinging: on the socket and with the clients of a predecessor handing
    /// over (<paramref name="from"/>), else on a socket of its own with the clients of its snapshot
    /// (STATE_DIR). Every restored client is in the mirror before the first slot is sent.
    /// </summary>
    internal void Start(GatewayTakeover? from)
    {
        _socket = from?.Socket ?? DatagramSocketFactory.Open(new IPEndPoint(_options.Host, _options.Port));
        _mirror = new PingMirror(_options);
        RestoreClients(from);
        _scheduler = new PingScheduler(_mirror, _socket, Metrics, _logger);
        _receiver = new HeartbeatReceiver(_socket, _mirror, Metrics, _logger);
        string endpoint = $"{Environment.MachineName} {_socket.LocalEndpoint}";
        // Nothing reaches the cluster from this process until it holds its GATEWAY_ID.
        ShardSynchronizer? synchronizer = null;
        Func<bool> accepted = () => _connected() && synchronizer!.Accepted;
        var partitions = _partitions = new PartitionWatcher(_grains, _options, _mirror, _logger, () => accepted() && synchronizer!.SyncedShards == _options.ShardsPerGateway);
        var shards = _shards = synchronizer = new ShardSynchronizer(_grains, _options, _mirror, Metrics, _logger, _connected, endpoint, OnRefused, partitions);
        _registrations = new RegistrationFlusher(_grains, _options, _mirror, Metrics, _logger, accepted, shards.IsSynced, partitions.Observe);
        _peers = new PeerGateways(this, _grains, _options, _mirror, _logger, accepted);

        _peers.Start();
        _receiver.Start();
        // A successor pings each slot at its predecessor's phase, from the cut-over the predecessor picked (and stops before).
        if (from is null) _scheduler.Start();
        else _scheduler.Start(_predecessorOrigin, from.FirstSlot().GetAwaiter().GetResult());
        _saver?.Start();
        _announcing = Task.WhenAll(
            Task.Run(() => shards.RunAsync(_stopping.Token)),
            Task.Run(() => partitions.RunAsync(_stopping.Token)),
            Task.Run(() => ExchangeWithPeersAsync(_peers, _stopping.Token)));
        _flushing = Task.Run(() => _registrations.RunAsync(_stopping.Token));

        LogListening(_options.GatewayId, _socket.LocalEndpoint,
            _socket.PreservesOrigin ? "pings leave from the address each client sent to" : "WARNING: wildcard without per-packet source addresses on this OS",
            _options.ShardsPerGateway, _options.ClientExpirationSeconds);
        if (_socket.GrantedReceiveBytes < SocketTuning.BufferBytes)
        {
            LogSmallBuffer(_socket.GrantedReceiveBytes / 1024, SocketTuning.BufferBytes / 1024, SocketTuning.BufferBytes);
        }
    }

    public async Task StopAsync()
    {
        Task<bool>? handOff;
        lock (_handOffGate)
        {
            _stopRequested = true;
            handOff = _handOff;
        }
        if (handOff is not null)
        {
            // The successor may ping from the cut-over on: no early stop, no word to the cluster, until the hand-over has ended.
            bool? handedOff = await WaitForHandOffAsync(handOff);
            if (handedOff == true) ReleaseAfterHandOff();
            if (handedOff != false) return;
        }
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _receiver?.Stop();
        _scheduler?.Stop();
        SaveFinally();
        await AwaitQuietly(_announcing, "announcing");
        await AwaitQuietly(_flushing, "registering");
        if (_fenced)
        {
            // Not the holder: the holder's clients and announcements are not this process's to touch.
            _stateFile?.Dispose();
            _socket?.Dispose();
            Metrics.Dispose();
            return;
        }
        if (_peers is not null) await AwaitQuietly(_peers.AnnounceStoppedAsync().WaitAsync(FinalAnnouncementLimit), "telling the gateway registry this gateway stopped");
        if (_registrations is not null && _shards is not null)
        {
            await AwaitQuietly(_shards.CatchUpAsync().WaitAsync(FinalFlushLimit), "catching up with the shards");
            // Clients that arrived in the last moments: let the cluster have them, so a restart resumes them too.
            await AwaitQuietly(_registrations.FlushAsync(final: true).WaitAsync(FinalFlushLimit), "the last registrations");
        }
        try
        {
            _shards?.Detach();
        }
        catch (Exception error)
        {
            LogDetachFailed(error);
        }
        _stateFile?.Dispose();
        _socket?.Dispose();
        Metrics.Dispose();
        LogStopped(_options.GatewayId);
    }

    /// <summary>Every announcement interval: the gateway registry hears where this gateway listens and how it is doing, and tells where the others do.</summary>
    private async Task ExchangeWithPeersAsync(PeerGateways peers, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await peers.ExchangeAsync();
            try
            {
                await Task.Delay(_options.AnnounceInterval, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Another process holds this GATEWAY_ID: stop pinging at once, and say why in one line.</summary>
    private void OnRefused(Messages.GatewayHolder holder)
    {
        if (_handingOff)
        {
            // The successor holds the id now: expected, and no reason to stop pinging before it does, nor to exit non-zero.
            LogRefusedAfterHandOff(_options.GatewayId, holder.Endpoint);
            return;
        }
        _fenced = true;
        _saver?.Stop();
        _receiver?.Stop();
        _scheduler?.Stop();
        LogRefused(_options.GatewayId, holder.Endpoint, holder.SilentForMs);
        Refused?.Invoke(holder.Endpoint);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "GATEWAY_ID {GatewayId} is held by another live process, listening at {Holder} (heard {SilentForMs} ms ago); this one stops. Give each gateway process its own GATEWAY_ID")]
    private partial void LogRefused(string gatewayId, string holder, int silentForMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "TixTrigger gateway {GatewayId} listening on udp {Endpoint} ({Origin}); WORKER_POOL_SIZE={Shards} CLIENT_EXPIRATION_SECONDS={Expiry}")]
    private partial void LogListening(string gatewayId, System.Net.IPEndPoint endpoint, string origin, int shards, int expiry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The kernel granted a {Granted} KiB receive buffer of the {Asked} KiB asked for: a burst of sign-ups may overflow it (counted as receive overflows). Raise net.core.rmem_max to at least {AskedBytes} bytes, or run with CAP_NET_ADMIN")]
    private partial void LogSmallBuffer(int granted, int asked, int askedBytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Detaching the gateway observer failed")]
    private partial void LogDetachFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "TixTrigger gateway {GatewayId} stopped")]
    private partial void LogStopped(string gatewayId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stopping: {What} ended with an error")]
    private partial void LogStopError(Exception error, string what);

    private async Task AwaitQuietly(Task task, string what)
    {
        try
        {
            await task;
        }
        catch (Exception error)
        {
            LogStopError(error, what);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
