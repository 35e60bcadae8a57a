using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Settings;

namespace TixTrigger.Tests.Simulation;

/// <summary>
/// A grain activation's life on a simulated silo: activated by the first message it gets, lost
/// with its silo (or collected) and then activated afresh, empty. Its timers stop with it.
/// </summary>
internal abstract class SimGrain(Cluster cluster, string key)
{
    protected Cluster Cluster { get; } = cluster;

    public string Key { get; } = key;

    public int Silo { get; } = cluster.SiloOf(key);

    /// <summary>Bumped by every loss: messages sent to an activation that was lost since are lost with it.</summary>
    public int Incarnation { get; private set; }

    /// <summary>Bumped by every activation and loss: the timers of an older one stop.</summary>
    private int _generation;

    public bool Active { get; private set; }

    protected long NowMs => Cluster.SiloNowMs(Silo);

    /// <summary>Activates the grain if it is not; call on every message.</summary>
    public void Ensure()
    {
        if (Active) return;
        Active = true;
        _generation++;
        OnActivate();
    }

    public void Lose()
    {
        Incarnation++;
        _generation++;
        Active = false;
    }

    /// <summary>Deactivated by its own choice (idle): the next message activates it afresh.</summary>
    protected void Deactivate()
    {
        _generation++;
        Active = false;
    }

    protected abstract void OnActivate();

    /// <summary>A grain timer: first after <paramref name="firstMs"/>, then every <paramref name="periodMs"/>, while this activation lives.</summary>
    protected void Every(long firstMs, long periodMs, Action tick)
    {
        int generation = _generation;
        void Run()
        {
            if (generation != _generation) return;
            tick();
            if (generation == _generation) Cluster.Scheduler.After(periodMs, Run);
        }
        Cluster.Scheduler.After(firstMs, Run);
    }
}

/// <summary>
/// The silos: where each grain lives (a stable hash of its key), their monotonic clocks, and the
/// messages to grains (lost when the grain's silo crashed between send and delivery).
/// </summary>
internal sealed class Cluster
{
    private readonly Dictionary<string, ShardGlue> _shards = [];
    private readonly List<ShardGlue> _shardList = [];
    private readonly PartitionGlue?[] _partitions = new PartitionGlue?[TixTrigger.Grains.ClientPartitions.Count];
    private readonly long[] _siloClock;
    private int _epochs;

    public Cluster(Scheduler scheduler, Network network, Random random, SimConfig config, Oracle oracle)
    {
        Scheduler = scheduler;
        Network = network;
        Random = random;
        Config = config;
        Oracle = oracle;
        _siloClock = [.. Enumerable.Range(0, config.Silos).Select(_ => 1_000_000L + random.Next(1_000_000_000))];
    }

    public Scheduler Scheduler { get; }
    public Network Network { get; }
    public Random Random { get; }
    public SimConfig Config { get; }
    public Oracle Oracle { get; }

    /// <summary>The gateway processes, by host; filled in by the runner.</summary>
    public List<GatewayHost> Hosts { get; } = [];

    /// <summary>The partitions the simulated clients fall in (a gateway watches all 64; the others hold nothing here).</summary>
    public int[] ClientPartitionsInUse { get; set; } = [];

    public IEnumerable<string> GatewayIds => Hosts.Select(host => host.GatewayId).Distinct();

    public long SiloNowMs(int silo) => Scheduler.NowMs + _siloClock[silo];

    public int SiloOf(string key)
    {
        uint hash = 2166136261;
        foreach (char ch in key) hash = (hash ^ ch) * 16777619;
        return (int)(hash % (uint)Config.Silos);
    }

    /// <summary>A fresh activation's epoch: deterministic, unlike Guid.NewGuid().</summary>
    public Guid NewEpoch() => new(++_epochs, 0, 0, new byte[8]);

    private long _instances;

    /// <summary>A gateway process's instance id (a Guid in the product).</summary>
    public long NextInstance() => ++_instances;

    public ShardGlue Shard(string gatewayId, int index)
    {
        string key = $"{gatewayId}/{index}";
        if (!_shards.TryGetValue(key, out var shard))
        {
            _shards[key] = shard = new ShardGlue(this, gatewayId, index);
            _shardList.Add(shard);
        }
        return shard;
    }

    public PartitionGlue Partition(int index) => _partitions[index] ??= new PartitionGlue(this, index);

    /// <summary>A message to a grain: delivered to whatever activation is there then, unless its silo crashed meanwhile.</summary>
    public void Send(SimGrain grain, Action deliver)
    {
        int incarnation = grain.Incarnation;
        Network.Send(() => Deliverable(grain, incarnation), () =>
        {
            grain.Ensure();
            deliver();
        });
    }

    public void Call<T>(SimGrain grain, Func<T> handle, Func<bool> callerAlive, Action<T> answered, Action failed)
    {
        int incarnation = grain.Incarnation;
        Network.Call(() => Deliverable(grain, incarnation), () =>
        {
            grain.Ensure();
            return handle();
        }, callerAlive, answered, failed);
    }

    private bool Deliverable(SimGrain grain, int incarnation) => !Config.CrashLosesInFlight || grain.Incarnation == incarnation;

    /// <summary>A silo crashes and restarts: every grain it held comes back empty, with a new epoch, at its next message.</summary>
    public void CrashSilo(int silo)
    {
        foreach (var shard in _shardList)
        {
            if (shard.Silo == silo) shard.Lose();
        }
        foreach (var partition in _partitions)
        {
            if (partition is null || partition.Silo != silo) continue;
            partition.Lose();
            Oracle.PartitionLost(partition.Index);
        }
        Oracle.Note($"silo {silo} crashed");
    }

    public void LosePartition(int index)
    {
        Partition(index).Lose();
        Oracle.PartitionLost(index);
        Oracle.Note($"partition {index} lost");
    }
}

/// <summary>
/// One gateway host: a process with the real <see cref="PingMirror"/> and the glue around it, which
/// crashes (the mirror is lost), stays down a while and starts again as a new instance that resumes
/// from its shards. Its monotonic clock starts anywhere; its wall clock may step back on a restart.
/// </summary>
internal sealed class GatewayHost(int host, string gatewayId, Cluster cluster)
{
    public int Host { get; } = host;
    public string GatewayId { get; } = gatewayId;
    public bool Up { get; private set; }
    public long Instance { get; private set; }
    public PingMirror? Mirror { get; private set; }
    public GatewayGlue? Glue { get; private set; }
    public long StartedAtMs { get; private set; }

    /// <summary>Down because shard 0 refused this instance (another process holds the GATEWAY_ID).</summary>
    public bool Refused { get; private set; }

    /// <summary>What the supervisor does when the process exits on its own (refused by the fence).</summary>
    public Action? Exited { get; set; }

    private long _clock;
    private long _wallClock;
    private readonly PingBatch _batch = new();

    public long NowMs => cluster.Scheduler.NowMs + _clock;

    public long WallNowMs => cluster.Scheduler.NowMs + _wallClock;

    public UdpGatewayOptions Options => new()
    {
        GatewayId = GatewayId,
        ShardsPerGateway = cluster.Config.ShardsPerGateway,
        ClientExpirationSeconds = cluster.Config.ExpirySeconds,
        MaxClients = 100_000,
        MaxClientsPerIp = 1_000,
    };

    public bool IsAlive(long instance) => Up && Instance == instance;

    public void Start()
    {
        var random = cluster.Random;
        Instance = cluster.NextInstance();
        Up = true;
        Refused = false;
        StartedAtMs = cluster.Scheduler.NowMs;
        // Monotonic time is per boot (slot-aligned, as the sender wakes on 10 ms boundaries); the wall clock may step back.
        _clock = 10L * random.Next(100_000, 100_000_000);
        _wallClock -= cluster.Config.ClockStepBackMaxMs > 0 ? random.Next(cluster.Config.ClockStepBackMaxMs) : 0;
        var secrets = new Random(random.Next());
        Mirror = new PingMirror(Options, (min, max) => secrets.Next(min, max));
        Glue = new GatewayGlue(this, cluster);
        Glue.Start();
        cluster.Oracle.Note($"host {Host} ({GatewayId}) started, instance {Instance}");
    }

    public void Crash(bool refused = false)
    {
        if (!Up) return;
        Up = false;
        Refused = refused;
        Mirror = null;
        Glue = null;
        cluster.Oracle.GatewayDown(Host);
        cluster.Oracle.Note($"host {Host} ({GatewayId}) {(refused ? "refused by its fence, exits" : "crashed")}");
        if (refused) Exited?.Invoke();
    }

    /// <summary>A heartbeat datagram arrives.</summary>
    public void Heartbeat(int client, ClientEndpoint endpoint)
    {
        if (!Up) return;
        var verdict = Mirror!.Admit(endpoint, Simulation.Local, isPing: false, NowMs);
        cluster.Oracle.Heard(client, Host, Instance, verdict);
    }

    /// <summary>The sender's 10 ms slot: what the real mirror pings now.</summary>
    public int SendSlot()
    {
        if (!Up) return 0;
        long now = NowMs;
        Mirror!.CollectSlot((int)(now / SlotWheel.SlotMs % SlotWheel.SlotCount), now, _batch);
        foreach (var target in _batch.Items) cluster.Oracle.Pinged(target.Client, Host);
        return _batch.Count;
    }
}
