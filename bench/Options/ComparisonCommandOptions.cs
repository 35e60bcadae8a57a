using System.CommandLine;
using static TixTrigger.Bench.Options.OptionFactory;

namespace TixTrigger.Bench.Options;

/// <summary>The options that only mean something with --compare, and how they become <see cref="ComparisonOptions"/>.</summary>
internal sealed class ComparisonCommandOptions
{
    private static readonly ComparisonOptions Defaults = new() { Topology = Topology.Single, ServiceRoot = "" };
    private static readonly CompareThresholds Limits = new();

    private readonly Option<string> _serviceRoot = Create("--service-root", "DIR",
        "[--compare] repository whose Release build to run (default: the one this bench was built in)",
        text => text, Nodes.ServiceBuild.DefaultRoot);

    private readonly Option<Subjects> _only = Choice("--only", "[--compare] measure one of the two only", Defaults.Subjects);

    private readonly Option<int> _gateways = Integer("--gateways", "[--compare cluster] standalone gateways",
        Defaults.Gateways, InShape, "--gateways and --silos must be between 1 and 16");

    private readonly Option<int> _silos = Integer("--silos", "[--compare cluster] silos",
        Defaults.Silos, InShape, "--gateways and --silos must be between 1 and 16");

    private readonly Option<double?> _gatewayQuota = OptionalNumber("--gateway-cpu-quota", "C",
        "[--compare] run each gateway (and each reference pinger) in its own cgroup v1 with C cores", IsQuota, QuotaRule);

    private readonly Option<double?> _siloQuota = OptionalNumber("--silo-cpu-quota", "C",
        "[--compare] the same for each silo (single: the one silo)", IsQuota, QuotaRule);

    private readonly Option<double> _cpuPeriod = Number("--cpu-period-ms", "P",
        "[--compare] CFS period of those quotas (the kernel's default is 100)", Defaults.CpuPeriodMs, value => value is >= 1 and <= 1000,
        "--cpu-period-ms must be between 1 and 1000 (the kernel's CFS period range)");

    private readonly Option<string> _cgroupPrefix = Create("--cgroup-prefix", "NAME",
        "[--compare] name of the quota groups under /sys/fs/cgroup/cpu", text => text, () => Defaults.CgroupPrefix);

    private readonly Option<string[]> _serviceEnvironment = new("--service-env")
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

    private readonly Option<double> _idleAfter = Number("--idle-after", "S",
        "[--compare] leave a ready subject idle S seconds before sampling it (past most of .NET's start-up compilation)",
        Defaults.IdleAfterSeconds, value => value is >= 0 and <= 3600, "--idle-after must be between 0 and 3600");

    private readonly Option<double> _idleSeconds = Number("--idle-seconds", "S",
        "[--compare] idle memory and CPU are sampled for S seconds before the load", Defaults.IdleSeconds,
        value => value is >= 0.5 and <= 600, "--idle-seconds must be between 0.5 and 600");

    private readonly Option<double> _settleSeconds = Number("--settle-seconds", "S",
        "[--compare cluster] time for the gateways to connect after they listen", Defaults.SettleSeconds,
        value => value is >= 0 and <= 600, "--settle-seconds must be between 0 and 600");

    private readonly Option<string?> _logDirectory = Create<string?>("--log-dir", "DIR",
        "[--compare] where the nodes' logs go (default /tmp/tixtrigger-bench/compare-...)", Path.GetFullPath);

    private readonly Option<double> _onTime = Number("--require-on-time", "F",
        "[--compare] threshold: fraction of intervals within 1000 ± 50 ms (the reference's own fraction instead when that is lower in the same run)",
        Limits.OnTime, value => value is >= 0 and <= 1, "--require-on-time is a fraction between 0 and 1");

    private readonly Option<int> _missed = Integer("--max-missed", "[--compare] threshold: clients with a gap over 1.5 s or no ping at all",
        Limits.MissedClients, value => value >= 0, ThresholdRule);

    private readonly Option<double> _firstPing = Number("--max-first-ping-p99-ms", "M", "[--compare] threshold: p99 of the first ping's delay",
        Limits.FirstPingP99Ms, value => value > 0, ThresholdRule);

    private readonly Option<double> _cpuRatio = Number("--max-cpu-ratio", "R",
        "[--compare] per-client cost: CPU over idle per 1,000 pings/s, over the reference's", Limits.CpuRatio, value => value > 0, ThresholdRule);

    private readonly Option<double> _rssPerClient = Number("--max-rss-per-client-kib", "K",
        "[--compare] per-client cost: RSS with the clients minus idle, all service processes, per client", Limits.RssPerClientKib,
        value => value >= 0, ThresholdRule);

    private readonly Option<double> _idleRss = Number("--max-idle-rss-mib", "M", "[--compare] fixed cost: each service process's idle RSS",
        Limits.IdleRssMib);

    private readonly Option<double> _idleCpu = Number("--max-idle-cpu-percent", "P",
        "[--compare] fixed cost: each service process's idle CPU, in percent of a core", Limits.IdleCpuPercent);

    private const string QuotaRule = "a CPU quota is in cores, from 0.01 (e.g. 0.5 for half a core)";
    private const string ThresholdRule = "--max-... thresholds must be positive";

    private Option[] All =>
    [
        _serviceRoot, _only, _gateways, _silos, _gatewayQuota, _siloQuota, _cpuPeriod, _cgroupPrefix, _serviceEnvironment,
        _idleAfter, _idleSeconds, _settleSeconds, _logDirectory, _onTime, _missed, _firstPing, _cpuRatio, _rssPerClient, _idleRss, _idleCpu,
    ];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    /// <summary>The first of these options the user gave, if any (they mean nothing without --compare).</summary>
    public string? FirstGiven(Func<Option, bool> given) => All.FirstOrDefault(given)?.Name;

    public ComparisonOptions Read(ParseResult result, Topology topology) => new()
    {
        Topology = topology,
        ServiceRoot = Path.GetFullPath(result.GetValue(_serviceRoot)!),
        Subjects = result.GetValue(_only),
        Gateways = result.GetValue(_gateways),
        Silos = result.GetValue(_silos),
        GatewayCpuQuota = result.GetValue(_gatewayQuota),
        SiloCpuQuota = result.GetValue(_siloQuota),
        CpuPeriodMs = result.GetValue(_cpuPeriod),
        CgroupPrefix = result.GetValue(_cgroupPrefix)!,
        ServiceEnvironment = (result.GetValue(_serviceEnvironment) ?? [])
            .Select(setting => setting.Split('=', 2))
            .GroupBy(pair => pair[0])
            .ToDictionary(group => group.Key, group => group.Last()[1]),
        IdleAfterSeconds = result.GetValue(_idleAfter),
        IdleSeconds = result.GetValue(_idleSeconds),
        SettleSeconds = result.GetValue(_settleSeconds),
        LogDirectory = result.GetValue(_logDirectory),
        Thresholds = new CompareThresholds
        {
            OnTime = result.GetValue(_onTime),
            MissedClients = result.GetValue(_missed),
            FirstPingP99Ms = result.GetValue(_firstPing),
            CpuRatio = result.GetValue(_cpuRatio),
            RssPerClientKib = result.GetValue(_rssPerClient),
            IdleRssMib = result.GetValue(_idleRss),
            IdleCpuPercent = result.GetValue(_idleCpu),
        },
    };

    private static bool InShape(int count) => count is >= 1 and <= 16;

    private static bool IsQuota(double cores) => cores is >= 0.01 and <= 1024;
}
