using System.Globalization;
using System.Net;
using TixTrigger.Bench.Options;

namespace TixTrigger.Bench.Nodes;

/// <summary>
/// Starts a subject and waits until it is ready for load: the service in its topology, or the
/// reference pingers in the same shape (one per UDP port the service would have). Ports are free
/// ones, so a run never meets another service on this machine.
/// </summary>
internal sealed class SubjectLauncher(ComparisonOptions comparison, double? expirySeconds, TextWriter output)
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromMinutes(2);
    private const string ListeningText = "listening on udp";

    private readonly ServiceBuild _build = new(comparison.ServiceRoot);
    private readonly string _clusterId = $"bench-{Environment.ProcessId}";

    private CpuQuota? GatewayQuota => Quota(comparison.GatewayCpuQuota);

    private CpuQuota? SiloQuota => Quota(comparison.SiloCpuQuota);

    private CpuQuota? Quota(double? cores) =>
        cores is { } limit ? new CpuQuota(limit, (int)Math.Round(comparison.CpuPeriodMs * 1000), comparison.CgroupPrefix) : null;

    public Task<Deployment> StartServiceAsync(string logDirectory, CancellationToken cancellation)
        => DeployAsync(logDirectory, deployment => comparison.Topology == Topology.Single ? StartSingleAsync(deployment, cancellation) : StartClusterAsync(deployment, cancellation));

    /// <summary>As many reference pingers as the service has UDP ports, each with the gateway's CPU quota if there is one.</summary>
    public Task<Deployment> StartReferenceAsync(string logDirectory, CancellationToken cancellation) =>
        StartReferenceAsync(logDirectory, IPAddress.Loopback, comparison.Topology == Topology.Cluster ? comparison.Gateways : 1, expirySeconds, GatewayQuota, cancellation);

    /// <summary>Reference pingers listening on <paramref name="host"/>, one port each.</summary>
    public static Task<Deployment> StartReferenceAsync(string logDirectory, IPAddress host, int count, double? expirySeconds, CpuQuota? quota, CancellationToken cancellation)
    {
        var environment = Expiry(new() { ["HOST"] = host.ToString() }, expirySeconds);
        return DeployAsync(logDirectory, async deployment => deployment.Targets.AddRange(await Task.WhenAll(Enumerable.Range(0, count).Select(i => StartUdpNodeAsync(deployment,
            NodeSpec.Dotnet($"reference-{i}", NodeRole.Reference, ServiceBuild.Reference, environment, ListeningText), host, quota, cancellation)))));
    }

    /// <summary>A deployment with <paramref name="start"/> done, or, if it failed, with whatever it had started stopped again.</summary>
    private static async Task<Deployment> DeployAsync(string logDirectory, Func<Deployment, Task> start)
    {
        var deployment = new Deployment(logDirectory);
        try
        {
            await start(deployment);
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    private async Task StartSingleAsync(Deployment deployment, CancellationToken cancellation)
    {
        _build.Require(_build.Silo);
        output.WriteLine($"starting the single-node service ({_build.Silo}) ...");
        var environment = ServiceEnvironment(new()
        {
            ["HOST"] = "127.0.0.1",
            ["ORLEANS_SILO_PORT"] = Port(),
            ["ORLEANS_GATEWAY_PORT"] = Port(),
            ["DASHBOARD_PORT"] = Port(),
        });
        deployment.Targets.Add(await StartUdpNodeAsync(deployment, NodeSpec.Dotnet("silo", NodeRole.Service, _build.Silo, environment, ListeningText), IPAddress.Loopback, SiloQuota, cancellation));
    }

    private async Task StartClusterAsync(Deployment deployment, CancellationToken cancellation)
    {
        _build.Require(_build.Silo, _build.Gateway);
        output.WriteLine($"starting the cluster: redis-server, {comparison.Silos} silo(s), {comparison.Gateways} gateway(s) from {comparison.ServiceRoot} ...");
        string redisPort = Port();
        // Append-only, as the README runs it: an Orleans cluster cannot rejoin a Redis that restarted empty.
        var redis = new NodeSpec("redis", NodeRole.Support, "redis-server",
            ["--port", redisPort, "--bind", "127.0.0.1", "--appendonly", "yes", "--save", "", "--dir", deployment.Scratch("redis"), "--daemonize", "no"],
            new Dictionary<string, string>(), "Ready to accept connections");
        await (await deployment.StartAsync(redis, null)).WaitReadyAsync(ReadyLimit, cancellation);

        var common = new Dictionary<string, string>
        {
            ["REDIS_CONNECTION"] = $"127.0.0.1:{redisPort}",
            ["CLUSTER_ID"] = _clusterId,
            ["SERVICE_ID"] = _clusterId,
            ["ADVERTISED_IP"] = "127.0.0.1",
        };
        await Task.WhenAll(Enumerable.Range(0, comparison.Silos).Select(async i =>
        {
            var spec = NodeSpec.Dotnet($"silo-{i}", NodeRole.Service, _build.Silo, ServiceEnvironment(WithPorts(common)), "TixTrigger silo up");
            await (await deployment.StartAsync(spec, SiloQuota)).WaitReadyAsync(ReadyLimit, cancellation);
        }));
        deployment.Targets.AddRange(await Task.WhenAll(Enumerable.Range(0, comparison.Gateways).Select(i =>
        {
            var environment = WithPorts(common);
            environment["HOST"] = "127.0.0.1";
            environment["GATEWAY_ID"] = $"bench-gateway-{i}";
            var spec = NodeSpec.Dotnet($"gateway-{i}", NodeRole.Service, _build.Gateway, ServiceEnvironment(environment), ListeningText);
            return StartUdpNodeAsync(deployment, spec, IPAddress.Loopback, GatewayQuota, cancellation);
        })));
        // A gateway listens before its Orleans client has connected and announced itself to its shards.
        output.WriteLine($"gateways listening; giving them {comparison.SettleSeconds:F0} s to connect ...");
        await Task.Delay(TimeSpan.FromSeconds(comparison.SettleSeconds), cancellation);
    }

    /// <summary>Starts a node that listens on a UDP port of its own; returns that port, the load's target.</summary>
    private static async Task<IPEndPoint> StartUdpNodeAsync(Deployment deployment, NodeSpec spec, IPAddress host, CpuQuota? quota, CancellationToken cancellation)
    {
        string port = Port();
        var environment = new Dictionary<string, string>(spec.Environment) { ["PORT"] = port };
        var node = await deployment.StartAsync(spec with { Environment = environment }, quota);
        await node.WaitReadyAsync(ReadyLimit, cancellation);
        return new IPEndPoint(host, int.Parse(port, CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, string> WithPorts(Dictionary<string, string> common) => new(common)
    {
        ["ORLEANS_SILO_PORT"] = Port(),
        ["ORLEANS_GATEWAY_PORT"] = Port(),
        ["DASHBOARD_PORT"] = Port(),
        // A standalone gateway's HTTP port (metrics, probes); two gateways on one machine need two.
        ["METRICS_PORT"] = Port(),
    };

    private Dictionary<string, string> ServiceEnvironment(Dictionary<string, string> environment)
    {
        foreach (var (name, value) in comparison.ServiceEnvironment) environment[name] = value;
        return Expiry(environment, expirySeconds);
    }

    private static Dictionary<string, string> Expiry(Dictionary<string, string> environment, double? expirySeconds)
    {
        if (expirySeconds is { } expiry) environment["CLIENT_EXPIRATION_SECONDS"] = expiry.ToString(CultureInfo.InvariantCulture);
        return environment;
    }

    private static string Port() => FreePorts.Next().ToString(CultureInfo.InvariantCulture);
}
