using System.Globalization;
using System.Net;

namespace TixTrigger.Bench.Options;

/// <summary>Turns the command line into <see cref="BenchOptions"/>, or into one line saying what is wrong.</summary>
internal static class OptionParser
{
    public static bool TryParse(IReadOnlyList<string> args, out BenchOptions options, out string? error)
    {
        options = new BenchOptions();
        error = null;
        try
        {
            options = Parse(args);
            error = OptionValidator.Validate(options);
        }
        catch (FormatException problem)
        {
            error = problem.Message;
        }
        return error is null;
    }

    private static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        IReadOnlyList<IPEndPoint>? target = null;
        IReadOnlyList<IPEndPoint>? targets = null;
        Topology? topology = null;
        string? serviceRoot = null;
        string? comparisonOnly = null;
        var comparison = new ComparisonOptions { Topology = Topology.Single, ServiceRoot = "" };
        var serviceEnvironment = new Dictionary<string, string>();
        for (int i = 0; i < args.Count; i++)
        {
            (string name, string? inlineValue) = Split(args[i]);
            string Value() => inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value"));
            if (ComparisonOptionParser.TryApply(name, Value, ref comparison, serviceEnvironment, ref serviceRoot))
            {
                comparisonOnly ??= name;
                continue;
            }
            switch (name)
            {
                case "--compare": topology = Choice<Topology>(name, Value()); break;
                case "--target": target = [AddressParser.Endpoint(name, Value())]; break;
                case "--targets": targets = AddressParser.Endpoints(name, Value()); break;
                case "--bind": options = options with { BindAddresses = AddressParser.Addresses(name, Value()) }; break;
                case "--clients": options = options with { Clients = Integer(name, Value()) }; break;
                case "--heartbeat-seconds": options = options with { HeartbeatSeconds = Number(name, Value()) }; break;
                case "--duration": options = options with { DurationSeconds = Number(name, Value()) }; break;
                case "--spread-seconds": options = options with { SpreadSeconds = Number(name, Value()) }; break;
                case "--stop-half-after": options = options with { StopHalfAfterSeconds = Number(name, Value()) }; break;
                case "--expiry": options = options with { ExpirySeconds = Number(name, Value()) }; break;
                case "--require-within": options = options with { RequireWithin = Number(name, Value()) }; break;
                case "--clients-per-worker": options = options with { ClientsPerWorker = Integer(name, Value()) }; break;
                case "--read-interval-ms": options = options with { ReadIntervalMs = Integer(name, Value()) }; break;
                case "--wait-quiet": options = options with { WaitQuietSeconds = Number(name, Value()) }; break;
                case "--allow-non-loopback": options = options with { AllowNonLoopback = true }; break;
                case "--self-check": options = options with { SelfCheck = true }; break;
                default: throw new FormatException($"unknown option '{args[i]}' (see --help)");
            }
        }
        if (target is not null && targets is not null) throw new FormatException("give either --target or --targets, not both");
        if (topology is null && comparisonOnly is not null) throw new FormatException($"{comparisonOnly} goes with --compare single|cluster");
        return options with
        {
            Targets = target ?? targets ?? [],
            Comparison = topology is { } chosen
                ? comparison with { Topology = chosen, ServiceRoot = Path.GetFullPath(serviceRoot ?? Nodes.ServiceBuild.DefaultRoot()), ServiceEnvironment = serviceEnvironment }
                : null,
        };
    }

    public static T Choice<T>(string name, string text) where T : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out T value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"{name} takes one of {string.Join(", ", Enum.GetNames<T>().Select(option => option.ToLowerInvariant()))}, not '{text}'");

    private static (string Name, string? Value) Split(string arg)
    {
        int equals = arg.IndexOf('=');
        return equals > 0 && arg.StartsWith("--", StringComparison.Ordinal) ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    public static int Integer(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new FormatException($"{name} takes a whole number, not '{text}'");

    public static double Number(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new FormatException($"{name} takes a number, not '{text}'");
}
