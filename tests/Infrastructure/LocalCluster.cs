using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using TixTrigger.Gateway.Hosting;
using TixTrigger.Hosting;
using TixTrigger.Grains;
using TixTrigger.Settings;
using Microsoft.Extensions.Logging;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// What the README's "run a cluster on one machine" starts, as real processes from the built
/// outputs: redis-server, silos with Redis membership, standalone gateways. Everything is killed
/// on dispose, whether the test passed or not.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public sealed record GatewayNode(string Id, int Port, NodeProcess Process, int MetricsPort = 0)
    {
        public IPEndPoint Endpoint => new(IPAddress.Loopback, Port);
    }

    private readonly List<NodeProcess> _processes = [];
    private IHost? _clientHost;

    private LocalCluster(int expirySeconds, int shardsPerGateway)
    {
        ExpirySeconds = expirySeconds;
        ShardsPerGateway = shardsPerGateway;
    }

    public RedisServer Redis { get; } = new();

    /// <summary>Added to every silo's environment (e.g. a faked wall clock).</summary>
    public IReadOnlyDictionary<string, string> SiloEnvironment { get; private init; } = new Dictionary<string, string>();

    public string ClusterId { get; } = $"test-{Guid.NewGuid():N}"[..17];

    public int ExpirySeconds { get; }

    public int ShardsPerGateway { get; }

    public List<NodeProcess> Silos { get; } = [];

    public List<int> DashboardPorts { get; } = [];

    /// <summary>Each silo's ORLEANS_SILO_PORT, in the order of <see cref="Silos"/>: how grain statistics name a silo.</summary>
    public List<int> SiloPorts { get; } = [];

    public Dictionary<string, GatewayNode> Gateways { get; } = [];

    /// <summary>STATE_DIR of every gateway of this cluster (each saves under its GATEWAY_ID): a restarted gateway finds its file; no other test's.</summary>
    public string StateDirectory { get; } = Directory.CreateTempSubdirectory("tixtrigger-cluster-state-").FullName;

    /// <summary>Settings every node gets besides the cluster's own (set before starting nodes).</summary>
    public Dictionary<string, string> ExtraEnvironment { get; } = [];

    public static async Task<LocalCluster> StartAsync(int silos, string[] gateways, int expirySeconds = 120, int shardsPerGateway = 4,
        IReadOnlyDictionary<string, string>? environment = null, IReadOnlyDictionary<string, string>? siloEnvironment = null)
    {
        var cluster = new LocalCluster(expirySeconds, shardsPerGateway) { SiloEnvironment = siloEnvironment ?? new Dictionary<string, string>() };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) cluster.ExtraEnvironment[key] = value;
        try
        {
            await cluster.Redis.StartAsync();
            await Task.WhenAll(Enumerable.Range(0, silos).Select(_ => cluster.StartSiloAsync()));
            await Task.WhenAll(gateways.Select(id => cluster.StartGatewayAsync(id)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private Dictionary<string, string> Common() => new Dictionary<string, string>
    {
        ["REDIS_CONNECTION"] = Redis.ConnectionString,
        ["CLUSTER_ID"] = ClusterId,
        ["SERVICE_ID"] = ClusterId,
        ["LOG_LEVEL"] = "INFO",
        ["STATE_DIR"] = StateDirectory,
    }.Concat(ExtraEnvironment).ToDictionary();

    public async Task<NodeProcess> StartSiloAsync() => await StartSiloAsync(replacing: null);

    /// <summary>A rolling restart's step: SIGTERM the silo, wait for it to exit, start a new one in its place.</summary>
    public async Task<TimeSpan> RestartSiloAsync(int index)
    {
        var stopped = await Silos[index].TerminateAsync(TimeSpan.FromSeconds(30));
        await StartSiloAsync(replacing: index);
        return stopped;
    }

    /// <summary>A new silo in the place of one that was stopped or killed (a whole cluster started again).</summary>
    public async Task StartSiloInPlaceAsync(int index) => await StartSiloAsync(replacing: index);

    /// <summary>A crash and a reboot: SIGKILL the silo, start a new one in its place.</summary>
    public async Task RestartKilledSiloAsync(int index)
    {
        Silos[index].Kill();
        await StartSiloAsync(replacing: index);
    }

    private async Task<NodeProcess> StartSiloAsync(int? replacing)
    {
        int dashboard = FreePorts.Next();
        int siloPort = FreePorts.Next();
        var environment = Common();
        environment["ADVERTISED_IP"] = "127.0.0.1";
        foreach (var (key, value) in SiloEnvironment) environment[key] = value;
        environment["ORLEANS_SILO_PORT"] = siloPort.ToString();
        environment["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString();
        environment["DASHBOARD_PORT"] = dashboard.ToString();
        NodeProcess silo;
        lock (_processes)
        {
            int index = replacing ?? Silos.Count;
            silo = NodeProcess.Start($"silo-{index}{(replacing is null ? "" : "-restarted")}", BuiltOutputs.Silo, environment);
            _processes.Add(silo);
            if (replacing is { } i)
            {
                Silos[i] = silo;
                DashboardPorts[i] = dashboard;
                SiloPorts[i] = siloPort;
            }
            else
            {
                Silos.Add(silo);
                DashboardPorts.Add(dashboard);
                SiloPorts.Add(siloPort);
            }
        }
        if (!await silo.WaitForOutputAsync("TixTrigger silo up", TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException("A silo did not start: " + silo.Describe());
        }
        return silo;
    }

    /// <summary>Lines any gateway logged containing <paramref name="text"/>: "restarted empty" means a shard lost its state.</summary>
    public List<string> GatewayLines(string text) =>
        [.. _processes.Where(p => p.Name.StartsWith("gateway", StringComparison.Ordinal)).SelectMany(p => p.Output).Where(line => line.Contains(text, StringComparison.Ordinal))];

    /// <summary>
    /// Starts a gateway and waits until it listens and, unless <paramref name="connected"/> is false
    /// (Redis is down on purpose), until it has reached the cluster.
    /// </summary>
    /// <param name="metricsPort">Its METRICS_PORT; by default a free one (a successor taking over a gateway needs the same).</param>
    public async Task<GatewayNode> StartGatewayAsync(string id, int? port = null, bool connected = true, IReadOnlyDictionary<string, string>? extraEnvironment = null, int? metricsPort = null)
    {
        int udpPort = port ?? FreePorts.Next();
        var environment = Common();
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>()) environment[key] = value;
        environment["HOST"] = "127.0.0.1";
        environment["PORT"] = udpPort.ToString();
        environment["GATEWAY_ID"] = id;
        environment["WORKER_POOL_SIZE"] = ShardsPerGateway.ToString();
        environment["CLIENT_EXPIRATION_SECONDS"] = ExpirySeconds.ToString();
        int metrics = metricsPort ?? FreePorts.Next();
        environment["METRICS_PORT"] = metrics.ToString();
        NodeProcess process;
        lock (_processes)
        {
            process = NodeProcess.Start($"gateway-{id}", BuiltOutputs.Gateway, environment);
            _processes.Add(process);
        }
        if (!await process.WaitForOutputAsync("listening on udp", TimeSpan.FromSeconds(60))
            || (connected && !await process.WaitForOutputAsync("Connected to the cluster", TimeSpan.FromSeconds(60))))
        {
            throw new InvalidOperationException($"Gateway {id} did not start: " + process.Describe());
        }
        var node = new GatewayNode(id, udpPort, process, metrics);
        lock (Gateways) Gateways[id] = node;
        return node;
    }

    /// <summary>An Orleans client of this cluster, for looking at grains the way an operator would.</summary>
    public async Task<IClusterClient> ConnectClientAsync()
    {
        var node = new NodeOptions { RedisConnection = Redis.ConnectionString, ClusterId = ClusterId, ServiceId = ClusterId };
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.UseTixTriggerLogging(LogLevel.Warning);
        builder.UseOrleansClient(client => client.UseTixTriggerClustering(node));
        _clientHost = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _clientHost.StartAsync(timeout.Token);
        return _clientHost.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>How many clients a gateway's shards hold, summed over its shards.</summary>
    public async Task<int> MembersOfAsync(IClusterClient client, string gatewayId)
    {
        int members = 0;
        for (int i = 0; i < ShardsPerGateway; i++)
        {
            members += (await client.GetGrain<IPingShardGrain>(ShardKey.Format(gatewayId, i)).GetSnapshot()).Members.Length;
        }
        return members;
    }

    /// <summary>Shard activations per silo (by ORLEANS_SILO_PORT), from the cluster's own statistics.</summary>
    public static async Task<Dictionary<int, int>> ShardsPerSiloAsync(IClusterClient client) =>
        (await client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics())
            .Where(s => s.GrainType.Contains("PingShardGrain", StringComparison.Ordinal))
            .GroupBy(s => s.SiloAddress.Endpoint.Port)
            .ToDictionary(g => g.Key, g => g.Count());

    public string Describe() => string.Join("\n\n", _processes.Select(p => p.Describe()));

    public async ValueTask DisposeAsync()
    {
        lock (_processes)
        {
            foreach (var process in _processes) process.Dispose();
        }
        if (_clientHost is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _clientHost.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
            _clientHost.Dispose();
        }
        Redis.Dispose();
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
