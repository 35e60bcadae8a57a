using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using static TixTrigger.Bench.Options.OptionFactory;

namespace TixTrigger.Bench.Options;

/// <summary>The command line: every option with its default, rule and help, and how they become <see cref="BenchOptions"/>.</summary>
internal sealed class BenchCommand
{
    /// <summary>The process may hold at most 20,000 open files here; each client is one socket.</summary>
    public const int MaxClientsPerWorker = 19_000;

    /// <summary>After the options in --help: what scripts and CI read.</summary>
    public const string Epilogue = """

        Exit code: 0 pass, 1 a criterion failed (each is printed), 2 could not measure, 130 interrupted.
        The last line of output is the whole report as one JSON object.
        """;

    private const string Description = """
        TixTrigger bench: simulates many UDP clients of a TixTrigger service and measures their pings.
          --target ADDRESS:PORT [options]     measure a running service
          --self-check [options]              measure the reference pinger (the bench's own jitter)
          --compare single|cluster [options]  start the service, then the reference, same load
        """;

    private static readonly BenchOptions Defaults = new();

    private readonly Option<Topology?> _compare = Create<Topology?>("--compare", "single|cluster",
        "start the service, then the reference pinger, under the same load, and compare them (options below)",
        text => Enum.TryParse(text, ignoreCase: true, out Topology value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"--compare takes one of single, cluster, not '{text}'"));

    private readonly Option<IReadOnlyList<IPEndPoint>> _target = Create<IReadOnlyList<IPEndPoint>>("--target", "A:P",
        "the service, e.g. 127.0.0.1:7561 or [::1]:7561", text => [AddressParser.Endpoint("--target", text)]);

    private readonly Option<IReadOnlyList<IPEndPoint>> _targets = Create("--targets", "A:P,B:P",
        "several gateways; clients are spread over them round-robin", text => AddressParser.Endpoints("--targets", text));

    private readonly Option<IReadOnlyList<IPAddress>> _bind = Create("--bind", "ADDR[,ADDR...]",
        "local addresses for the client sockets (default: loopback of the target's family; with --compare and --self-check, "
        + $"127.0.1.1, .2, ... with at most {SourceAddresses.ClientsPerAddress:N0} clients each); several spread the clients, "
        + "e.g. to stay under the service's MAX_CLIENTS_PER_IP", text => AddressParser.Addresses("--bind", text));

    private readonly Option<int> _clients = Integer("--clients", "simulated clients, one UDP socket each",
        Defaults.Clients, value => value is >= 1 and <= 1_000_000, "--clients must be between 1 and 1000000");

    private readonly Option<double> _heartbeat = Number("--heartbeat-seconds", "H", "each client heartbeats (2 zero bytes) every H seconds",
        Defaults.HeartbeatSeconds, value => value >= 0.05, "--heartbeat-seconds must be at least 0.05");

    private readonly Option<double> _duration = Number("--duration", "D", "seconds to run",
        Defaults.DurationSeconds, value => value is > 0 and <= 86_400, "--duration must be above 0 and at most 86400 seconds");

    private readonly Option<double> _spread = Number("--spread-seconds", "S", "the first heartbeats are spread evenly over S seconds",
        Defaults.SpreadSeconds);

    private readonly Option<double?> _stopHalfAfter = OptionalNumber("--stop-half-after", "S",
        "after S seconds half of the clients stop heartbeating (needs --expiry)");

    private readonly Option<double?> _expiry = OptionalNumber("--expiry", "E",
        "the service's CLIENT_EXPIRATION_SECONDS (with --compare: sets it)", value => value > 0, "--expiry must be above 0");

    private readonly Option<double> _requireWithin = Number("--require-within", "F",
        "pass only if this fraction of intervals is within 1000 ± 50 ms", Defaults.RequireWithin, value => value is >= 0 and <= 1,
        "--require-within is a fraction between 0 and 1");

    private readonly Option<int> _clientsPerWorker = Integer("--clients-per-worker", $"clients per worker process (at most {MaxClientsPerWorker})",
        Defaults.ClientsPerWorker, value => value is >= 1 and <= MaxClientsPerWorker,
        $"--clients-per-worker must be between 1 and {MaxClientsPerWorker} (one socket per client; 20,000 open files per process)");

    private readonly Option<int> _readInterval = Integer("--read-interval-ms",
        "each worker reads its sockets every N ms (0: as datagrams come); arrival times are the kernel's receive stamps "
        + "either way, so batching costs no accuracy", Defaults.ReadIntervalMs, value => value is >= 0 and <= 100,
        "--read-interval-ms must be between 0 and 100");

    private readonly Option<double> _waitQuiet = Number("--wait-quiet", "S",
        "before the load, wait up to S seconds until other processes on the machine use under 0.2 cores (0: do not wait); "
        + "the report says how busy it was anyway", Defaults.WaitQuietSeconds, value => value is >= 0 and <= 86_400,
        "--wait-quiet takes seconds, from 0 (do not wait)");

    private readonly Option<bool> _allowNonLoopback = new("--allow-non-loopback") { Description = "permit target and bind addresses that are not loopback" };

    private readonly Option<bool> _selfCheck = new("--self-check")
    {
        Description = "measure against the reference pinger (bench/Reference) instead of a service, to see how much jitter the bench itself adds",
    };

    private readonly ComparisonCommandOptions _comparison = new();

    public BenchCommand()
    {
        Root = new RootCommand(Description);
        foreach (Option option in (Option[])[_target, _targets, _compare, _clients, _heartbeat, _duration, _spread, _stopHalfAfter, _expiry,
            _bind, _requireWithin, _clientsPerWorker, _readInterval, _waitQuiet, _allowNonLoopback, _selfCheck])
        {
            Root.Options.Add(option);
        }
        _comparison.AddTo(Root);
    }

    public RootCommand Root { get; }

    /// <summary>The options as given, or the first rule they break.</summary>
    public (BenchOptions Options, string? Problem) Read(ParseResult result)
    {
        bool Given(Option option) => result.GetResult(option) is OptionResult { Implicit: false };
        var options = new BenchOptions
        {
            Targets = result.GetValue(_target) ?? result.GetValue(_targets) ?? [],
            BindAddresses = result.GetValue(_bind) ?? [],
            Clients = result.GetValue(_clients),
            HeartbeatSeconds = result.GetValue(_heartbeat),
            DurationSeconds = result.GetValue(_duration),
            SpreadSeconds = result.GetValue(_spread),
            StopHalfAfterSeconds = result.GetValue(_stopHalfAfter),
            ExpirySeconds = result.GetValue(_expiry),
            RequireWithin = result.GetValue(_requireWithin),
            ClientsPerWorker = result.GetValue(_clientsPerWorker),
            ReadIntervalMs = result.GetValue(_readInterval),
            WaitQuietSeconds = result.GetValue(_waitQuiet),
            AllowNonLoopback = result.GetValue(_allowNonLoopback),
            SelfCheck = result.GetValue(_selfCheck),
            Comparison = result.GetValue(_compare) is { } topology ? _comparison.Read(result, topology) : null,
        };
        if (Given(_target) && Given(_targets)) return (options, "give either --target or --targets, not both");
        if (options.Comparison is null && _comparison.FirstGiven(Given) is { } stray) return (options, $"{stray} goes with --compare single|cluster");
        return (options, OptionValidator.Validate(options));
    }
}
