using System.Net;

namespace TixTrigger.Bench.Options;

/// <summary>Rejects combinations of options that would run but measure nothing meaningful (each option's own range is checked as it is read).</summary>
internal static class OptionValidator
{
    /// <summary>Listening this long past a stopped client's deadline covers the 1.5 s grace and more, so a late ping would show.</summary>
    private const double ObservationMarginSeconds = 3;

    public static string? Validate(BenchOptions options)
    {
        if (ValidateSubject(options) is { } problem) return problem;
        if (options.SpreadSeconds < 0 || options.SpreadSeconds >= options.DurationSeconds) return "--spread-seconds must be at least 0 and below --duration";
        if (options.ExpirySeconds is { } expiry && options.HeartbeatSeconds >= expiry)
        {
            return "--heartbeat-seconds must be below --expiry, or the heartbeating clients would expire between heartbeats";
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
        foreach (double? quota in new[] { comparison.GatewayCpuQuota, comparison.SiloCpuQuota })
        {
            // The kernel refuses a quota under 1 ms per period.
            if (quota * comparison.CpuPeriodMs < 1) return $"a quota of {quota} cores is under 1 ms per {comparison.CpuPeriodMs} ms period, which the kernel refuses; give a longer --cpu-period-ms";
        }
        return options.ExpirySeconds is { } expiry && (expiry != Math.Floor(expiry) || expiry > 86_400)
            ? "--expiry becomes the service's CLIENT_EXPIRATION_SECONDS, a whole number of seconds up to 86400"
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
