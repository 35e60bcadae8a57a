using System.CommandLine;
using static TixTrigger.Bench.Options.OptionFactory;

namespace TixTrigger.Bench.Options;

/// <summary>The options that only mean something with --compare, and where each goes in <see cref="ComparisonOptions"/>.</summary>
internal sealed class ComparisonCommandOptions
{
    private const string ShapeRule = "--gateways and --silos must be between 1 and 16";
    private const string QuotaRule = "a CPU quota is in cores, from 0.01 (e.g. 0.5 for half a core)";
    private const string ThresholdRule = "--max-... thresholds must be positive";

    private static readonly ComparisonOptions Defaults = new() { Topology = Topology.Single, ServiceRoot = "" };
    private static readonly CompareThresholds Limits = new();

    private readonly OptionMap<ComparisonOptions> _map = new OptionMap<ComparisonOptions>()
        .Add(Create("--service-root", "DIR", "[--compare] repository whose Release build to run", Path.GetFullPath, Nodes.ServiceBuild.DefaultRoot),
            (comparison, value) => comparison with { ServiceRoot = value })
        .Add(Choice<Subjects>("--only", "[--compare] measure one of the two only", Defaults.Subjects), (comparison, value) => comparison with { Subjects = value })
        .Add(Integer("--gateways", "[--compare cluster] standalone gateways", Defaults.Gateways, InShape, ShapeRule),
            (comparison, value) => comparison with { Gateways = value })
        .Add(Integer("--silos", "[--compare cluster] silos", Defaults.Silos, InShape, ShapeRule), (comparison, value) => comparison with { Silos = value })
        .Add(OptionalNumber("--gateway-cpu-quota", "C", "[--compare] run each gateway (and each reference pinger) in its own cgroup v1 with C cores",
            IsQuota, QuotaRule), (comparison, value) => comparison with { GatewayCpuQuota = value })
        .Add(OptionalNumber("--silo-cpu-quota", "C", "[--compare] the same for each silo (single: the one silo)", IsQuota, QuotaRule),
            (comparison, value) => comparison with { SiloCpuQuota = value })
        .Add(Number("--cpu-period-ms", "P", "[--compare] CFS period of those quotas (the kernel's default is 100)", Defaults.CpuPeriodMs,
            value => value is >= 1 and <= 1000, "--cpu-period-ms must be between 1 and 1000 (the kernel's CFS period range)"),
            (comparison, value) => comparison with { CpuPeriodMs = value })
        .Add(Create("--cgroup-prefix", "NAME", "[--compare] name of the quota groups under /sys/fs/cgroup/cpu", text => text, () => Defaults.CgroupPrefix),
            (comparison, value) => comparison with { CgroupPrefix = value })
        .Add(ServiceEnvironment(), (comparison, value) => comparison with
        {
            ServiceEnvironment = value.Select(setting => setting.Split('=', 2)).GroupBy(pair => pair[0]).ToDictionary(group => group.Key, group => group.Last()[1]),
        })
        .Add(Number("--idle-after", "S", "[--compare] leave a ready subject idle S seconds before sampling it (past most of .NET's start-up compilation)",
            Defaults.IdleAfterSeconds, value => value is >= 0 and <= 3600, "--idle-after must be between 0 and 3600"),
            (comparison, value) => comparison with { IdleAfterSeconds = value })
        .Add(Number("--idle-seconds", "S", "[--compare] idle memory and CPU are sampled for S seconds before the load", Defaults.IdleSeconds,
            value => value is >= 0.5 and <= 600, "--idle-seconds must be between 0.5 and 600"), (comparison, value) => comparison with { IdleSeconds = value })
        .Add(Number("--settle-seconds", "S", "[--compare cluster] time for the gateways to connect after they listen", Defaults.SettleSeconds,
            value => value is >= 0 and <= 600, "--settle-seconds must be between 0 and 600"), (comparison, value) => comparison with { SettleSeconds = value })
        .Add(Create("--log-dir", "DIR", "[--compare] where the nodes' logs go (default /tmp/tixtrigger-bench/compare-...)", Path.GetFullPath),
            (comparison, value) => comparison with { LogDirectory = value })
        .Add(Number("--require-on-time", "F", "[--compare] threshold: fraction of intervals within 1000 ± 50 ms (the reference's own fraction "
            + "instead when that is lower in the same run)", Limits.OnTime, value => value is >= 0 and <= 1, "--require-on-time is a fraction between 0 and 1"),
            (comparison, value) => comparison with { Thresholds = comparison.Thresholds with { OnTime = value } })
        .Add(Integer("--max-missed", "[--compare] threshold: clients with a gap over 1.5 s or no ping at all", Limits.MissedClients,
            value => value >= 0, ThresholdRule), (comparison, value) => comparison with { Thresholds = comparison.Thresholds with { MissedClients = value } })
        .Add(Number("--max-first-ping-p99-ms", "M", "[--compare] threshold: p99 of the first ping's delay", Limits.FirstPingP99Ms,
            value => value > 0, ThresholdRule), (comparison, value) => comparison with { Thresholds = comparison.Thresholds with { FirstPingP99Ms = value } })
        .Add(Number("--max-cpu-ratio", "R", "[--compare] per-client cost: CPU over idle per 1,000 pings/s, over the reference's", Limits.CpuRatio,
            value => value > 0, ThresholdRule), (comparison, value) => comparison with { Thresholds = comparison.Thresholds with { CpuRatio = value } })
        .Add(Number("--max-rss-per-client-kib", "K", "[--compare] per-client cost: RSS with the clients minus idle, all service processes, per client",
            Limits.RssPerClientKib, value => value >= 0, ThresholdRule),
            (comparison, value) => comparison with { Thresholds = comparison.Thresholds with { RssPerClientKib = value } })
        .Add(Number("--max-idle-rss-mib", "M", "[--compare] fixed cost: each service process's idle RSS", Limits.IdleRssMib),
            (comparison, value) => comparison with { Thresholds = comparison.Thresholds with { IdleRssMib = value } })
        .Add(Number("--max-idle-cpu-percent", "P", "[--compare] fixed cost: each service process's idle CPU, in percent of a core", Limits.IdleCpuPercent),
            (comparison, value) => comparison with { Thresholds = comparison.Thresholds with { IdleCpuPercent = value } });

    public IEnumerable<Option> Options => _map.Options;

    public Option? FirstGiven(ParseResult result) => _map.FirstGiven(result);

    public ComparisonOptions Read(ParseResult result, Topology topology) =>
        _map.Read(result, Defaults with { Topology = topology, ServiceRoot = Nodes.ServiceBuild.DefaultRoot() });

    private static Option<string[]> ServiceEnvironment() => new("--service-env")
    {
        HelpName = "NAME=VALUE",
        Description = "[--compare] an extra setting for the service's nodes, e.g. WORKER_POOL_SIZE=20 (repeatable)",
        Validators =
        {
            result =>
            {
                foreach (string setting in result.Tokens.Select(token => token.Value))
                {
                    int equals = setting.IndexOf('=');
                    if (equals < 1) result.AddError($"--service-env takes NAME=VALUE, not '{setting}'");
                    else if (setting[..equals] is "HOST" or "PORT") result.AddError($"--service-env {setting[..equals]}=... is chosen by the bench (each node gets a free port on 127.0.0.1)");
                }
            },
        },
    };

    private static bool InShape(int count) => count is >= 1 and <= 16;

    private static bool IsQuota(double cores) => cores is >= 0.01 and <= 1024;
}
