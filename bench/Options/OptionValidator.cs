using System.Net;

namespace TixTrigger.Bench.Options;

/// <summary>Rejects combinations that would run but measure nothing meaningful.</summary>
internal static class OptionValidator
{
    /// <summary>The process may hold at most 20,000 open files here; each client is one socket.</summary>
    public const int MaxClientsPerWorker = 19_000;

    /// <summary>Listening this long past a stopped client's deadline covers the 1.5 s grace and more, so a late ping would show.</summary>
    private const double ObservationMarginSeconds = 3;

    public static string? Validate(BenchOptions options)
    {
        if (ValidateSubject(options) is { } problem) return problem;
        if (options.Clients is < 1 or > 1_000_000) return "--clients must be between 1 and 1000000";
        if (options.ClientsPerWorker is < 1 or > MaxClientsPerWorker) return $"--clients-per-worker must be between 1 and {MaxClientsPerWorker} (one socket per client; 20,000 open files per process)";
        if (options.HeartbeatSeconds < 0.05) return "--heartbeat-seconds must be at least 0.05";
        if (options.DurationSeconds is <= 0 or > 86_400) return "--duration must be above 0 and at most 86400 seconds";
        if (options.SpreadSeconds < 0 || options.SpreadSeconds >= options.DurationSeconds) return "--spread-seconds must be at least 0 and below --duration";
        if (options.WaitQuietSeconds is < 0 or > 86_400) return "--wait-quiet takes seconds, from 0 (do not wait)";
        if (options.ReadIntervalMs is < 0 or > 100) return "--read-interval-ms must be between 0 and 100";
        if (options.RequireWithin is < 0 or > 1) return "--require-within is a fraction between 0 and 1";
        if (options.ExpirySeconds is { } expiry)
        {
            if (expiry <= 0) return "--expiry must be above 0";
            if (options.HeartbeatSeconds >= expiry) return "--heartbeat-seconds must be below --expiry, or the heartbeating clients would expire between heartbeats";
        }
        if (options.StopHalfAfterSeconds is { } stopAfter)
        {
            if (options.ExpirySeconds is not { } stopExpiry) return "--stop-half-after needs --expiry (the service's CLIENT_EXPIRATION_SECONDS)";
            if (stopAfter <= options.SpreadSeconds) return "--stop-half-after must be later than --spread-seconds, so that every client has heartbeated before half of them stop";
            if (options.Clients < 2) return "--stop-half-after needs at least 2 clients";
            double needed = stopAfter + stopExpiry + ObservationMarginSeconds;
            if (options.DurationSeconds < needed) return $"--duration must be at least --stop-half-after + --expiry + {ObservationMarginSeconds} = {needed} s, so that late pings to stopped clients can be seen";
        }
        return ValidateAddresses(options);
    }

    /// <summary>What is measured: a running service (--target), the reference (--self-check), or both started by the bench (--compare).</summary>
    private static string? ValidateSubject(BenchOptions options) => options switch
    {
        { Comparison: { } comparison } => ValidateComparison(options, comparison),
        { SelfCheck: true, Targets.Count: > 0 } => "--self-check pings the clients itself; leave out --target/--targets",
        { SelfCheck: false, Targets.Count: 0 } => "give the service with --target ADDRESS:PORT (or --targets A:P,B:P), or use --self-check or --compare",
        _ => null,
    };

    private static string? ValidateComparison(BenchOptions options, ComparisonOptions comparison)
    {
        if (options.Targets.Count > 0 || options.SelfCheck) return "--compare starts the service and the reference itself; leave out --target/--targets/--self-check";
        if (!Directory.Exists(comparison.ServiceRoot)) return $"--service-root {comparison.ServiceRoot} is not a folder";
        if (comparison.Gateways is < 1 or > 16 || comparison.Silos is < 1 or > 16) return "--gateways and --silos must be between 1 and 16";
        if (comparison.CpuPeriodMs is < 1 or > 1000) return "--cpu-period-ms must be between 1 and 1000 (the kernel's CFS period range)";
        foreach (double? quota in new[] { comparison.GatewayCpuQuota, comparison.SiloCpuQuota })
        {
            if (quota is < 0.01 or > 1024) return "a CPU quota is in cores, from 0.01 (e.g. 0.5 for half a core)";
            // The kernel refuses a quota under 1 ms per period.
            if (quota * comparison.CpuPeriodMs < 1) return $"a quota of {quota} cores is under 1 ms per {comparison.CpuPeriodMs} ms period, which the kernel refuses; give a longer --cpu-period-ms";
        }
        if (comparison.IdleSeconds is < 0.5 or > 600) return "--idle-seconds must be between 0.5 and 600";
        if (comparison.IdleAfterSeconds is < 0 or > 3600) return "--idle-after must be between 0 and 3600";
        if (comparison.SettleSeconds is < 0 or > 600) return "--settle-seconds must be between 0 and 600";
        if (options.ExpirySeconds is { } expiry && (expiry != Math.Floor(expiry) || expiry > 86_400)) return "--expiry becomes the service's CLIENT_EXPIRATION_SECONDS, a whole number of seconds up to 86400";
        var limits = comparison.Thresholds;
        if (limits.OnTime is < 0 or > 1) return "--require-on-time is a fraction between 0 and 1";
        if (limits.MissedClients < 0 || limits.FirstPingP99Ms <= 0 || limits.CpuRatio <= 0 || limits.RssPerClientKib < 0) return "--max-... thresholds must be positive";
        return comparison.ServiceEnvironment.Keys.FirstOrDefault(name => name is "HOST" or "PORT") is { } reserved
            ? $"--service-env {reserved}=... is chosen by the bench (each node gets a free port on 127.0.0.1)"
            : null;
    }

    private static string? ValidateAddresses(BenchOptions options)
    {
        if (!options.AllowNonLoopback)
        {
            var remote = options.Targets.Select(target => target.Address).Concat(options.BindAddresses).FirstOrDefault(address => !IPAddress.IsLoopback(address));
            if (remote is not null) return $"{remote} is not a loopback address; the bench only loads loopback unless --allow-non-loopback is given";
        }
        if (options.BindAddresses.Count == 0) return null;
        var unmatched = options.Targets.FirstOrDefault(target => options.BindAddresses.All(bind => bind.AddressFamily != target.AddressFamily));
        return unmatched is null ? null : $"no --bind address of the same family as the target {unmatched}";
    }
}
