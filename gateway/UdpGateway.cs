using System.Net;
using Microsoft.Extensions.Logging;
using TixTrigger.Gateway.Heartbeats;
using TixTrigger.Gateway.Pinging;
using TixTrigger.Gateway.Shards;
using TixTrigger.Gateway.Udp;
using TixTrigger.Settings;

namespace TixTrigger.Gateway;

/// <summary>
/// The UDP face of the service: receives heartbeats, forwards them to the cluster, keeps the
/// mirror of its shards and sends every client its ping each second. Runs inside a silo
/// (single node) or as its own process with an Orleans client (cluster).
/// </summary>
public sealed class UdpGateway : IAsyncDisposable
{
    private readonly UdpGatewayOptions _options;
    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private IDatagramSocket? _socket;
    private PingMirror? _mirror;
    private PingScheduler? _scheduler;
    private HeartbeatReceiver? _receiver;
    private ShardSynchronizer? _shards;
    private Task _announcing = Task.CompletedTask;

    public UdpGateway(UdpGatewayOptions options, IGrainFactory grains, ILoggerFactory loggers)
    {
        _options = options;
        _grains = grains;
        _logger = loggers.CreateLogger<UdpGateway>();
        Metrics = new GatewayMetrics(options.GatewayId, () => ClientCount);
    }

    public GatewayMetrics Metrics { get; }

    public IPEndPoint LocalEndpoint => _socket?.LocalEndpoint ?? throw new InvalidOperationException("The gateway has not started.");

    public int ClientCount => _mirror?.Count ?? 0;

    /// <summary>Shards this gateway is in step with (all of them, once it has caught up after a start).</summary>
    public int SyncedShards => _shards?.SyncedShards ?? 0;

    public void Start()
    {
        _socket = DatagramSocketFactory.Open(new IPEndPoint(_options.Host, _options.Port));
        _mirror = new PingMirror(_socket.Family, _options.MaxClients, _options.MaxClientsPerIp);
        _scheduler = new PingScheduler(_mirror, _socket, Metrics, _logger);
        var forwarder = new HeartbeatForwarder(_grains, _options.GatewayId, _mirror, Metrics, _logger);
        _receiver = new HeartbeatReceiver(_socket, _mirror, forwarder, _options, Metrics, _logger);
        _shards = new ShardSynchronizer(_grains, _options, _mirror, _logger);

        _scheduler.Start();
        _receiver.Start();
        _announcing = Task.Run(() => _shards.RunAsync(_stopping.Token));

        _logger.LogInformation(
            "TixTrigger gateway {GatewayId} listening on udp {Endpoint} ({Origin}); WORKER_POOL_SIZE={Shards} CLIENT_EXPIRATION_SECONDS={Expiry}",
            _options.GatewayId, _socket.LocalEndpoint,
            _socket.PreservesOrigin ? "pings leave from the address each client sent to" : "WARNING: wildcard without per-packet source addresses on this OS",
            _options.ShardsPerGateway, _options.ClientExpirationSeconds);
    }

    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _receiver?.Stop();
        _scheduler?.Stop();
        try
        {
            await _announcing;
        }
        catch (Exception error)
        {
            _logger.LogDebug(error, "Announcing stopped with an error");
        }
        try
        {
            _shards?.Detach();
        }
        catch (Exception error)
        {
            _logger.LogDebug(error, "Detaching the gateway observer failed");
        }
        _socket?.Dispose();
        Metrics.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
