using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Messages;

namespace TixTrigger.Tests.Simulation;

/// <summary>A broken promise, with when and to whom.</summary>
internal sealed record Violation(string Kind, long AtMs, int Client, int Host, string Detail)
{
    public override string ToString() => $"{Kind} at {AtMs / 1000.0:F2} s: client {Client}, host {Host}: {Detail}";
}

/// <summary>
/// What the product promises, checked after every 10 ms step against what the clients did (which
/// gateway each heartbeats, which heartbeats arrived) and what the real mirrors pinged:
/// <list type="bullet">
/// <item>DoublePing: a client that moved (its heartbeats reach only the new host, whose current
///   instance has heard one) is not pinged by any other host more than 3 s after that first heartbeat
///   (not checked while the new host is down, or is a process refused its GATEWAY_ID: a claim can die
///   with it, see ARCHITECTURE.md, and a refused one claims nothing; for a process that waits for its
///   GATEWAY_ID, the 3 s run from when it holds it, as it claims nothing before), nor
///   more than 2 s + 3 s after its partition was lost (the gateways learn of it by the next Watch),
///   nor by a restarted host more than 3 s after its start (it resumed the client from a snapshot and
///   learns of the move when it claims it again).</item>
/// <item>Unpinged: a client is pinged at least every 1.1 s by the host it heartbeats, from 1.1 s
///   after a heartbeat that host's current instance took (since the client last turned to it) until
///   that heartbeat's deadline (+ expiry),
///   while the host is up; and by a restarted instance, from 1.1 s after it merged a snapshot holding
///   the client, until the earlier of the snapshot's TTL and the last heartbeat's deadline.</item>
/// <item>PingPastDeadline: no host pings a client more than 1 s after its last heartbeat to that GATEWAY_ID + expiry.</item>
/// <item>Gateways are GATEWAY_IDs: "two gateways" are two ids; a restart (or a second process) under one id is the same gateway.</item>
/// <item>Slow messages (a few per cent, held up to Faults.SlowDelayMs) stretch the 3 s by three of them and the 1 s by two.</item>
/// </list>
/// </summary>
internal sealed class Oracle
{
    private const long GapMs = 1_100;

    /// <summary>What the product promises (3 s, 1 s), plus what the network's slow messages may add on the way (three messages, two).</summary>
    private readonly long _moveGraceMs;
    private readonly long _lateMs;

    /// <summary>After a partition is lost, its gateways learn it within an announcement round (2 s): moves from before then are caught that much later.</summary>
    private const long WatchRoundMs = 2_000;

    private readonly long _expiryMs;
    private readonly Dictionary<ClientEndpoint, int> _clients = [];
    private readonly int[] _target;
    private readonly int[] _partition;
    private readonly long[] _partitionLostAt;
    private readonly long[] _targetSince;
    private readonly long[] _movedAt;
    private readonly long[] _movedInstance;
    private readonly long[,] _heard;
    private readonly long[,] _heardInstance;
    private readonly long[,] _pinged;
    private readonly long[,] _expectFrom;
    private readonly long[,] _expectUntil;
    private readonly long[,] _expectInstance;
    private readonly long[] _hostInstance;
    private readonly long[] _hostStartedAt;

    /// <summary>Each host's GATEWAY_ID (as an index): two hosts share one when a second process runs with the same id.</summary>
    private readonly int[] _hostGateway;
    /// <summary>When each host's current process came to hold its GATEWAY_ID; -1 while it does not.</summary>
    private readonly long[] _hostAcceptedAt;
    private readonly long[,] _reported;
    private readonly Func<long> _now;

    public Oracle(int clients, int[] hostGateway, int expirySeconds, Faults faults, Func<long> now)
    {
        int hosts = hostGateway.Length;
        _hostGateway = hostGateway;
        long slow = faults.SlowRate > 0 ? faults.SlowDelayMs : 0;
        _moveGraceMs = 3_000 + 3 * slow;
        _lateMs = 1_000 + 2 * slow;
        _partition = new int[clients];
        _partitionLostAt = new long[clients];
        Array.Fill(_partitionLostAt, long.MinValue / 4);
        _expiryMs = expirySeconds * 1000L;
        _now = now;
        _target = new int[clients];
        _targetSince = new long[clients];
        _movedAt = new long[clients];
        _movedInstance = new long[clients];
        _heard = new long[clients, hosts];
        _heardInstance = new long[clients, hosts];
        _pinged = new long[clients, hosts];
        _expectFrom = new long[clients, hosts];
        _expectUntil = new long[clients, hosts];
        _expectInstance = new long[clients, hosts];
        _hostInstance = new long[hosts];
        _hostStartedAt = new long[hosts];
        _hostAcceptedAt = new long[hosts];
        _reported = new long[clients, hosts];
        Array.Fill(_target, -1);
        Array.Fill(_movedAt, -1);
        Array.Fill(_hostAcceptedAt, -1);
        foreach (var array in new[] { _heard, _pinged, _reported }) Fill(array, long.MinValue / 4);
    }

    private static void Fill(long[,] array, long value)
    {
        for (int i = 0; i < array.GetLength(0); i++)
        {
            for (int j = 0; j < array.GetLength(1); j++) array[i, j] = value;
        }
    }

    public List<Violation> Violations { get; } = [];

    /// <summary>Counts of the mirror's verdicts on the apps' heartbeats (an Echo here would be the echo rule wronging an app).</summary>
    public Dictionary<Admission, int> Verdicts { get; } = [];

    /// <summary>What happened, for a failing seed's report (the last few hundred lines).</summary>
    public Queue<string> Log { get; } = new();

    /// <summary>A fingerprint of the run (every ping, every event): two runs of a seed must agree on it.</summary>
    public ulong Trace { get; private set; } = 14695981039346656037UL;

    private void Mix(long value) => Trace = (Trace ^ (ulong)value) * 1099511628211UL;

    public void Note(string line)
    {
        Log.Enqueue($"{_now() / 1000.0,8:F2} {line}");
        if (Log.Count > 300) Log.Dequeue();
        foreach (char ch in line) Mix(ch);
    }

    /// <summary>Replaying one seed: the glue notes what it does too.</summary>
    public bool Verbose { get; set; }

    public void Debug(Func<string> line)
    {
        if (Verbose) Note(line());
    }

    public string Name(ClientEndpoint endpoint) => _clients.TryGetValue(endpoint, out int client) ? $"c{client}" : endpoint.ToString();

    public string Names(IEnumerable<ClientEndpoint> endpoints) => string.Join(",", endpoints.Select(Name));

    public void Register(int client, ClientEndpoint endpoint)
    {
        _clients[endpoint] = client;
        _partition[client] = TixTrigger.Grains.ClientPartitions.Of(endpoint);
    }

    /// <summary>A client partition lost its owners (its silo crashed, or it was collected).</summary>
    public void PartitionLost(int partition)
    {
        for (int client = 0; client < _partition.Length; client++)
        {
            if (_partition[client] == partition) _partitionLostAt[client] = _now();
        }
    }

    public void HostUp(int host, long instance)
    {
        _hostInstance[host] = instance;
        _hostStartedAt[host] = _now();
    }

    public void GatewayDown(int host)
    {
        _hostInstance[host] = 0;
        _hostAcceptedAt[host] = -1;
    }

    /// <summary>The host's process holds its GATEWAY_ID (shard 0 accepted it): only then can a move to it be registered.</summary>
    public void Accepted(int host)
    {
        _hostAcceptedAt[host] = _now();
        Note($"host {host} holds its GATEWAY_ID");
    }

    /// <summary>The client now sends its heartbeats to <paramref name="host"/> only.</summary>
    public void Target(int client, int host)
    {
        if (_target[client] == host) return;
        _target[client] = host;
        _targetSince[client] = _now();
        _movedAt[client] = -1;
        _movedInstance[client] = 0;
        Note($"client {client} now heartbeats host {host}");
    }

    public void Heard(int client, int host, long instance, Admission verdict)
    {
        Verdicts[verdict] = Verdicts.GetValueOrDefault(verdict) + 1;
        if (verdict.IsRefused) return;
        long now = _now();
        _heard[client, host] = now;
        _heardInstance[client, host] = instance;
        if (_target[client] == host && _movedInstance[client] != instance)
        {
            _movedAt[client] = now;
            _movedInstance[client] = instance;
        }
    }

    /// <summary>A restarted instance merged a snapshot: it now owes pings to the members whose heartbeats still go to it.</summary>
    public void Resumed(int host, long instance, ShardMember[] members, long hostNowMs)
    {
        long now = _now();
        foreach (var member in members)
        {
            if (member.TtlMs <= 0 || !_clients.TryGetValue(member.Client, out int client) || _target[client] != host) continue;
            if (_heardInstance[client, host] == instance || _heard[client, host] < _targetSince[client]) continue;
            _expectFrom[client, host] = now;
            _expectUntil[client, host] = Math.Min(_heard[client, host] + _expiryMs, now + member.TtlMs);
            _expectInstance[client, host] = instance;
        }
    }

    public void Pinged(ClientEndpoint endpoint, int host)
    {
        int client = _clients[endpoint];
        long now = _now();
        _pinged[client, host] = now;
        Mix(now);
        Mix(client * 16 + host);
        // The deadline is the GATEWAY_ID's: a process resumes what an earlier one (or a twin, after the lease) heard.
        long heard = long.MinValue;
        for (int other = 0; other < _hostGateway.Length; other++)
        {
            if (_hostGateway[other] == _hostGateway[host]) heard = Math.Max(heard, _heard[client, other]);
        }
        if (now > heard + _expiryMs + _lateMs)
        {
            Report("PingPastDeadline", client, host, $"last heartbeat to its GATEWAY_ID at {heard / 1000.0:F2} s");
        }
        int target = _target[client];
        // A restarted host settles the clients it resumed (claims them, hears of their moves) within the same grace from its start.
        if (target >= 0 && _hostGateway[target] != _hostGateway[host] && _hostAcceptedAt[target] >= 0 && now > _hostStartedAt[host] + _moveGraceMs && _movedAt[client] >= 0 && _hostInstance[target] == _movedInstance[client]
            && now > Math.Max(_movedAt[client], _hostAcceptedAt[target]) + _moveGraceMs && now > _partitionLostAt[client] + WatchRoundMs + _moveGraceMs
            && _heard[client, host] < _movedAt[client])
        {
            Report("DoublePing", client, host, $"moved to host {target} at {_movedAt[client] / 1000.0:F2} s");
        }
    }

    /// <summary>After each step: every client owed pings got one within the last 1.1 s.</summary>
    public void Check()
    {
        long now = _now();
        for (int client = 0; client < _target.Length; client++)
        {
            int host = _target[client];
            if (host < 0 || _hostInstance[host] == 0) continue;
            long instance = _hostInstance[host];
            long from = long.MaxValue, until = long.MinValue;
            // Only heartbeats since the client last turned to this host: one from before it went elsewhere has been let go.
            if (_heardInstance[client, host] == instance && _heard[client, host] >= _targetSince[client])
            {
                from = _heard[client, host];
                until = _heard[client, host] + _expiryMs;
            }
            if (_expectInstance[client, host] == instance && _expectFrom[client, host] >= _targetSince[client] && _expectUntil[client, host] > until)
            {
                from = Math.Min(from, _expectFrom[client, host]);
                until = _expectUntil[client, host];
            }
            if (now < until - SlotWheel.SlotMs && now - Math.Max(from, _pinged[client, host]) > GapMs)
            {
                Report("Unpinged", client, host, $"deadline there {until / 1000.0:F2} s, last ping {_pinged[client, host] / 1000.0:F2} s");
            }
        }
    }

    private void Report(string kind, int client, int host, string detail)
    {
        long now = _now();
        // One report per client, host and episode (5 s).
        if (now - _reported[client, host] < 5_000) return;
        _reported[client, host] = now;
        var violation = new Violation(kind, now, client, host, detail);
        Note("VIOLATION " + violation);
        if (Violations.Count < 20) Violations.Add(violation);
    }
}
