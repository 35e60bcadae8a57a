using System.CommandLine;
using System.Net;
using static TixTrigger.Bench.Options.OptionFactory;

namespace TixTrigger.Bench.Options;

/// <summary>The command line: every option with its default, rule and help, and where it goes in <see cref="BenchOptions"/>.</summary>
internal sealed class BenchCommand
{
    /// <summary>The process may hold at most 20,000 open files here; each client is one socket.</summary>
    private const int MaxClientsPerWorker = 19_000;

    private const string Description = """
        TixTrigger bench: simulates many UDP clients of a TixTrigger service and measures their pings.
          --target ADDRESS:PORT [options]     measure a running service
          --self-check [options]              measure the reference pinger (the bench's own jitter)
          --compare single|cluster [options]  start the service, then the reference, same load
        Exit code: 0 pass, 1 a criterion failed (each is printed), 2 could not measure, 130 interrupted.
        The last line of output is the whole report as one JSON object.
        """;

    private static readonly BenchOptions Defaults = new();

    private readonly Option<Topology> _compare = Choice<Topology>("--compare",
        "start the service, then the reference pinger, under the same load, and compare them ([--compare] options)");

    private readonly Option<IReadOnlyList<IPEndPoint>> _target = Create<IReadOnlyList<IPEndPoint>>("--target", "A:P",
        "the service, e.g. 127.0.0.1:7561 or [::1]:7561", text => [AddressParser.Endpoint("--target", text)]);

    private readonly Option<IReadOnlyList<IPEndPoint>> _targets = Create("--targets", "A:P,B:P",
        "several gateways; clients are spread over them round-robin", text => AddressParser.Endpoints("--targets", text));

    private readonly OptionMap<BenchOptions> _load = new();
    private readonly ComparisonCommandOptions _comparison = new();

    public BenchCommand()
    {
        _load.Add(_target, (options, value) => options with { Targets = value })
            .Add(_targets, (options, value) => options with { Targets = value })
            .Add(Integer("--clients", "simulated clients, one UDP socket each", Defaults.Clients,
                value => value is >= 1 and <= 1_000_000, "--clients must be between 1 and 1000000"), (options, value) => options with { Clients = value })
            .Add(Number("--heartbeat-seconds", "H", "each client heartbeats (2 zero bytes) every H seconds", Defaults.HeartbeatSeconds,
                value => value >= 0.05, "--heartbeat-seconds must be at least 0.05"), (options, value) => options with { HeartbeatSeconds = value })
            .Add(Number("--duration", "D", "seconds to run", Defaults.DurationSeconds,
                value => value is > 0 and <= 86_400, "--duration must be above 0 and at most 86400 seconds"), (options, value) => options with { DurationSeconds = value })
            .Add(Number("--spread-seconds", "S", "the first heartbeats are spread evenly over S seconds", Defaults.SpreadSeconds),
                (options, value) => options with { SpreadSeconds = value })
            .Add(OptionalNumber("--stop-half-after", "S", "after S seconds half of the clients stop heartbeating (needs --expiry)"),
                (options, value) => options with { StopHalfAfterSeconds = value })
            .Add(OptionalNumber("--expiry", "E", "the service's CLIENT_EXPIRATION_SECONDS (with --compare: sets it)",
                value => value > 0, "--expiry must be above 0"), (options, value) => options with { ExpirySeconds = value })
            .Add(Create("--bind", "ADDR[,ADDR...]", "local addresses for the client sockets (default: loopback of the target's family; "
                + $"with --compare and --self-check, 127.0.1.1, .2, ... with at most {SourceAddresses.ClientsPerAddress:N0} clients each); "
                + "several spread the clients, e.g. to stay under the service's MAX_CLIENTS_PER_IP", text => AddressParser.Addresses("--bind", text)),
                (options, value) => options with { BindAddresses = value })
            .Add(Number("--require-within", "F", "pass only if this fraction of intervals is within 1000 ± 50 ms", Defaults.RequireWithin,
                value => value is >= 0 and <= 1, "--require-within is a fraction between 0 and 1"), (options, value) => options with { RequireWithin = value })
            .Add(Integer("--clients-per-worker", $"clients per worker process (at most {MaxClientsPerWorker})", Defaults.ClientsPerWorker,
                value => value is >= 1 and <= MaxClientsPerWorker,
                $"--clients-per-worker must be between 1 and {MaxClientsPerWorker} (one socket per client; 20,000 open files per process)"),
                (options, value) => options with { ClientsPerWorker = value })
            .Add(Integer("--read-interval-ms", "each worker reads its sockets every N ms (0: as datagrams come); arrival times are the "
                + "kernel's receive stamps either way, so batching costs no accuracy", Defaults.ReadIntervalMs,
                value => value is >= 0 and <= 100, "--read-interval-ms must be between 0 and 100"), (options, value) => options with { ReadIntervalMs = value })
            .Add(Number("--wait-quiet", "S", "before the load, wait up to S seconds until other processes on the machine use under 0.2 cores "
                + "(0: do not wait); the report says how busy it was anyway", Defaults.WaitQuietSeconds,
                value => value is >= 0 and <= 86_400, "--wait-quiet takes seconds, from 0 (do not wait)"), (options, value) => options with { WaitQuietSeconds = value })
            .Add(new Option<bool>("--allow-non-loopback") { Description = "permit target and bind addresses that are not loopback" },
                (options, value) => options with { AllowNonLoopback = value })
            .Add(new Option<bool>("--self-check") { Description = "measure against the reference pinger (bench/Reference) instead of a service, "
                + "to see how much jitter the bench itself adds" }, (options, value) => options with { SelfCheck = value });
        Root = new RootCommand(Description);
        foreach (var option in _load.Options.Append(_compare).Concat(_comparison.Options)) Root.Options.Add(option);
    }

    public RootCommand Root { get; }

    /// <summary>The options as given, or the first rule they break.</summary>
    public (BenchOptions Options, string? Problem) Read(ParseResult result)
    {
        var options = _load.Read(result, Defaults);
        if (OptionMap<BenchOptions>.Given(result, _target) && OptionMap<BenchOptions>.Given(result, _targets))
        {
            return (options, "give either --target or --targets, not both");
        }
        if (!OptionMap<BenchOptions>.Given(result, _compare))
        {
            return _comparison.FirstGiven(result) is { } stray
                ? (options, $"{stray.Name} goes with --compare single|cluster")
                : (options, OptionValidator.Validate(options));
        }
        options = options with { Comparison = _comparison.Read(result, result.GetValue(_compare)) };
        return (options, OptionValidator.Validate(options));
    }
}
