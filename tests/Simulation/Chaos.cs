using System.Net;
using TixTrigger.Endpoints;

namespace TixTrigger.Tests.Simulation;

/// <summary>
/// The world around the product: phones that heartbeat one gateway host on their own timer, move to
/// another, fall quiet and come back; gateway processes, silos and partitions that are lost.
/// </summary>
internal sealed class Chaos(Scheduler scheduler, Random random, SimConfig config, Cluster cluster, Oracle oracle)
{
    private readonly List<(ClientEndpoint Endpoint, int[] Target, bool[] Quiet)> _clients = [];

    public static ClientEndpoint Endpoint(int client) =>
        ClientEndpoint.From(new IPEndPoint(IPAddress.Parse($"127.0.{client / 250}.{client % 250 + 1}"), 40_000 + client));

    /// <summary>Hosts a client may heartbeat: every host, the twin included once it exists.</summary>
    private int RandomHost(int except = -1)
    {
        int hosts = cluster.Hosts.Count;
        if (hosts == 1) return 0;
        int host;
        do host = random.Next(hosts); while (host == except);
        return host;
    }

    public void Start()
    {
        for (int client = 0; client < config.Clients; client++) StartClient(client);
        Poisson(config.MoveEveryMs, Move);
        Poisson(config.QuietEveryMs, Quiet);
        Poisson(config.GatewayCrashEveryMs, CrashGateway);
        Poisson(config.SiloCrashEveryMs, () => cluster.CrashSilo(random.Next(config.Silos)));
        Poisson(config.PartitionLossEveryMs, () => cluster.LosePartition(cluster.ClientPartitionsInUse[random.Next(cluster.ClientPartitionsInUse.Length)]));
    }

    private void StartClient(int client)
    {
        var endpoint = Endpoint(client);
        oracle.Register(client, endpoint);
        var state = (Endpoint: endpoint, Target: new[] { -1 }, Quiet: new[] { false });
        _clients.Add(state);
        scheduler.After(random.Next(10_000), () =>
        {
            state.Target[0] = RandomHost();
            oracle.Target(client, state.Target[0]);
            Heartbeat(client);
        });
    }

    /// <summary>An app's timer: the interval, within ±10 ms, then 1–20 ms on the way (1 % lost).</summary>
    private void Heartbeat(int client)
    {
        var (endpoint, target, quiet) = _clients[client];
        if (!quiet[0] && random.NextDouble() >= 0.01)
        {
            var host = cluster.Hosts[target[0]];
            scheduler.After(random.Next(1, 21), () => host.Heartbeat(client, endpoint));
        }
        scheduler.After(config.HeartbeatIntervalMs + random.Next(-10, 11), () => Heartbeat(client));
    }

    private void Move()
    {
        int client = random.Next(config.Clients);
        var target = _clients[client].Target;
        if (target[0] < 0) return;
        target[0] = RandomHost(except: target[0]);
        oracle.Target(client, target[0]);
    }

    private void Quiet()
    {
        int client = random.Next(config.Clients);
        var quiet = _clients[client].Quiet;
        if (quiet[0]) return;
        quiet[0] = true;
        oracle.Note($"client {client} falls quiet");
        scheduler.After(random.Next(config.ExpirySeconds * 500, config.ExpirySeconds * 2_000), () =>
        {
            quiet[0] = false;
            oracle.Note($"client {client} heartbeats again");
        });
    }

    private void CrashGateway()
    {
        var host = cluster.Hosts[random.Next(cluster.Hosts.Count)];
        if (!host.Up) return;
        host.Crash();
        scheduler.After(random.Next(1_000, 10_000), () => Restart(host));
    }

    private void Restart(GatewayProcess host)
    {
        if (host.Up) return;
        host.Start();
        oracle.HostUp(host.Host, host.Instance);
    }

    /// <summary>A process refused by its fence exits; its supervisor starts it again 10 s later.</summary>
    public void Supervise(GatewayProcess host) => host.Exited = () => scheduler.After(10_000, () => Restart(host));

    /// <summary>The second process of a GATEWAY_ID starts on another host, some time into the run.</summary>
    public void StartLater(GatewayProcess host, long atMs) => scheduler.At(atMs, () => Restart(host));

    /// <summary>Events of one kind at random, <paramref name="meanMs"/> apart on average.</summary>
    private void Poisson(int meanMs, Action action)
    {
        if (meanMs <= 0) return;
        void Next() => scheduler.After((long)(-Math.Log(1 - random.NextDouble()) * meanMs) + 1, () =>
        {
            action();
            Next();
        });
        Next();
    }
}
