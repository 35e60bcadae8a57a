namespace TixTrigger.Bench.Options;

/// <summary>The options that only mean something with --compare, applied to the comparison being parsed.</summary>
internal static class ComparisonOptionParser
{
    /// <summary>The options that only mean something with --compare; false for any other.</summary>
    public static bool TryApply(string name, Func<string> value, ref ComparisonOptions comparison, Dictionary<string, string> environment, ref string? serviceRoot)
    {
        var limits = comparison.Thresholds;
        switch (name)
        {
            case "--service-root": serviceRoot = value(); break;
            case "--only": comparison = comparison with { Subjects = OptionParser.Choice<Subjects>(name, value()) }; break;
            case "--gateways": comparison = comparison with { Gateways = OptionParser.Integer(name, value()) }; break;
            case "--silos": comparison = comparison with { Silos = OptionParser.Integer(name, value()) }; break;
            case "--gateway-cpu-quota": comparison = comparison with { GatewayCpuQuota = OptionParser.Number(name, value()) }; break;
            case "--silo-cpu-quota": comparison = comparison with { SiloCpuQuota = OptionParser.Number(name, value()) }; break;
            case "--cpu-period-ms": comparison = comparison with { CpuPeriodMs = OptionParser.Number(name, value()) }; break;
            case "--cgroup-prefix": comparison = comparison with { CgroupPrefix = value() }; break;
            case "--idle-after": comparison = comparison with { IdleAfterSeconds = OptionParser.Number(name, value()) }; break;
            case "--idle-seconds": comparison = comparison with { IdleSeconds = OptionParser.Number(name, value()) }; break;
            case "--settle-seconds": comparison = comparison with { SettleSeconds = OptionParser.Number(name, value()) }; break;
            case "--log-dir": comparison = comparison with { LogDirectory = Path.GetFullPath(value()) }; break;
            case "--service-env":
                string setting = value();
                int equals = setting.IndexOf('=');
                if (equals < 1) throw new FormatException($"--service-env takes NAME=VALUE, not '{setting}'");
                environment[setting[..equals]] = setting[(equals + 1)..];
                break;
            case "--require-on-time": comparison = comparison with { Thresholds = limits with { OnTime = OptionParser.Number(name, value()) } }; break;
            case "--max-missed": comparison = comparison with { Thresholds = limits with { MissedClients = OptionParser.Integer(name, value()) } }; break;
            case "--max-first-ping-p99-ms": comparison = comparison with { Thresholds = limits with { FirstPingP99Ms = OptionParser.Number(name, value()) } }; break;
            case "--max-cpu-ratio": comparison = comparison with { Thresholds = limits with { CpuRatio = OptionParser.Number(name, value()) } }; break;
            case "--max-rss-per-client-kib": comparison = comparison with { Thresholds = limits with { RssPerClientKib = OptionParser.Number(name, value()) } }; break;
            case "--max-idle-rss-mib": comparison = comparison with { Thresholds = limits with { IdleRssMib = OptionParser.Number(name, value()) } }; break;
            case "--max-idle-cpu-percent": comparison = comparison with { Thresholds = limits with { IdleCpuPercent = OptionParser.Number(name, value()) } }; break;
            default: return false;
        }
        return true;
    }
}
