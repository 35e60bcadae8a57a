using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Grains;

namespace TixTrigger.Tests.Simulation;

/// <summary>
/// The world around the product: phones that heartbeat one gateway host on their own timer, move to
/// another, fall quiet and come back; gateway processes, silos and partitions that are lost.
/// </summary>
internal sealed class Chaos(Scheduler scheduler, Random random, SimConfig config, Cluster cluster, Oracle oracle)
{
    private readonly List<(ClientEndpoint Endpoint, int[] Target, bool[] Quiet)> _clients = [];
    private readonly ClientEndpoint[] _endpoints = Endpoints(config.Clients, config.Partitions);

    /// <summary>
    /// The clients' endpoints (loopback: exempt from the per-network rules), chosen so that they share
    /// <paramref name="partitions"/> client partitions: a partition's loss matters to clients that
    /// did not claim lately only when another client's claim activates it again.
    /// </summary>
    public static ClientEndpoint[] Endpoints(int clients, int partitions)
    {
        var chosen = new List<ClientEndpoint>[partitions];
        var order = new List<int>();
        for (int k = 0; chosen.Any(list => list is null || list.Count < (clients + partitions - 1) / partitions); k++)
        {
            var endpoint = ClientEndpoint.From(new IPEndPoint(IPAddress.Parse($"127.0.{k / 250 % 250}.{k % 250 + 1}"), 40_000 + k % 20_000));
            int partition = ClientPartitions.Of(endpoint);
            int group = order.IndexOf(partition);
            if (group < 0 && order.Count < partitions)
            {
                group = order.Count;
                order.Add(partition);
                chosen[group] = [];
            }
            if (group >= 0) chosen[group].Add(endpoint);
        }
        return [.. Enumerable.Range(0, clients).Select(client => chosen[client % partitions][client / partitions])];
    }

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
        // Each client its own habit: some move every few seconds, some stay for minutes.
        for (int client = 0; client < config.Clients; client++)
        {
            int moving = client;
            Poisson(config.MoveEveryMs <= 0 ? 0 : random.Next(config.MoveEveryMs, config.MoveEveryMs * 25), () => Move(moving));
        }
        Poisson(config.QuietEveryMs, Quiet);
        Poisson(config.GatewayCrashEveryMs, CrashGateway);
        Poisson(config.SiloCrashEveryMs, () => cluster.CrashSilo(random.Next(config.Silos)));
        Poisson(config.PartitionLossEveryMs, () => cluster.LosePartition(cluster.ClientPartitionsInUse[random.Next(cluster.ClientPartitionsInUse.Length)]));
    }

    private void StartClient(int client)
    {
        var endpoint = _endpoints[client];
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

    private void Move(int client)
    {
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

    private void Restart(GatewayHost host)
    {
        if (host.Up) return;
        host.Start();
        oracle.HostUp(host.Host, host.Instance);
    }

    /// <summary>A process refused by its fence exits; its supervisor starts it again 10 s later.</summary>
    public void Supervise(GatewayHost host) => host.Exited = () => scheduler.After(10_000, () => Restart(host));

    /// <summary>The second process of a GATEWAY_ID starts on another host, some time into the run.</summary>
    public void StartLater(GatewayHost host, long atMs) => scheduler.At(atMs, () => Restart(host));

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
