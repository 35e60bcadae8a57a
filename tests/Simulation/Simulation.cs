using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Grains;
using TixTrigger.Messages;

namespace TixTrigger.Tests.Simulation;

/// <summary>What one seed did.</summary>
internal sealed record SimResult(int Seed, IReadOnlyList<Violation> Violations, ulong Trace, long Pings, IReadOnlyCollection<string> Log, string Verdicts, long Events)
{
    public bool Passed => Violations.Count == 0;

    /// <summary>What an assertion prints: the seed and its first broken promise (SIM_SEED replays it with its log).</summary>
    public override string ToString() => Passed ? $"seed {Seed}: passed" : $"seed {Seed}: {Violations[0]} (replay with SIM_SEED={Seed})";
}

/// <summary>
/// One run: a seed makes the world (clients, faults, clocks), the scheduler runs it in 10 ms steps;
/// after each step every gateway host's real mirror sends its slot and the oracle checks the promises.
/// </summary>
internal static class Simulation
{
    public static readonly PackedAddress Local = PackedAddress.From(IPAddress.Loopback);

    public static SimResult Run(int seed, SimConfig config, bool verbose = false)
    {
        var random = new Random(seed);
        var scheduler = new Scheduler();
        var network = new Network(scheduler, random, config.Faults);
        int hosts = config.Gateways + (config.Twin ? 1 : 0);
        int[] hostGateway = [.. Enumerable.Range(0, hosts).Select(host => host < config.Gateways ? host : 0)];
        var oracle = new Oracle(config.Clients, hostGateway, config.ExpirySeconds, config.Faults, () => scheduler.NowMs) { Verbose = verbose };
        var cluster = new Cluster(scheduler, network, random, config, oracle)
        {
            ClientPartitionsInUse = [.. Chaos.Endpoints(config.Clients, config.Partitions).Select(ClientPartitions.Of).Distinct().Order()],
        };
        var chaos = new Chaos(scheduler, random, config, cluster, oracle);
        for (int host = 0; host < hosts; host++)
        {
            var process = new GatewayHost(host, $"g{hostGateway[host]}", cluster);
            cluster.Hosts.Add(process);
            chaos.Supervise(process);
            if (host < config.Gateways)
            {
                process.Start();
                oracle.HostUp(host, process.Instance);
            }
            else
            {
                chaos.StartLater(process, random.Next(20_000, 100_000));
            }
        }
        chaos.Start();

        long pings = 0;
        for (long t = SlotWheel.SlotMs; t <= config.DurationMs; t += SlotWheel.SlotMs)
        {
            scheduler.RunUntil(t);
            foreach (var host in cluster.Hosts) pings += host.SendSlot();
            oracle.Check();
        }
        string verdicts = string.Join(", ", oracle.Verdicts.OrderBy(pair => pair.Key.ToString(), StringComparer.Ordinal).Select(pair => $"{pair.Key} {pair.Value}"));
        return new SimResult(seed, oracle.Violations, oracle.Trace, pings, [.. oracle.Log], verdicts, scheduler.Events);
    }

    // The product's dictionaries of endpoints iterate in an order set by a per-process hash key
    // (KeyedHash): whatever they hand out is put in a fixed order before it becomes messages, so that
    // a seed replays in another process too.
    private static readonly Comparison<ClientEndpoint> ByEndpoint = (a, b) =>
        a.Address.High != b.Address.High ? a.Address.High.CompareTo(b.Address.High)
        : a.Address.Low != b.Address.Low ? a.Address.Low.CompareTo(b.Address.Low)
        : a.Port.CompareTo(b.Port);

    public static ShardMember[] Sorted(IEnumerable<ShardMember> members) => Sort([.. members], member => member.Client);

    public static ShardRemoval[] Sorted(IEnumerable<ShardRemoval> removals) => Sort([.. removals], removal => removal.Client);

    public static PendingRegistration[] Sorted(IEnumerable<PendingRegistration> pending) => Sort([.. pending], item => item.Member.Client);

    private static T[] Sort<T>(T[] items, Func<T, ClientEndpoint> key)
    {
        Array.Sort(items, (a, b) => ByEndpoint(key(a), key(b)));
        return items;
    }
}
