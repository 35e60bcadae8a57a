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
        if (options.SelfCheck && options.Targets.Count > 0) return "--self-check pings the clients itself; leave out --target/--targets";
        if (!options.SelfCheck && options.Targets.Count == 0) return "give the service with --target ADDRESS:PORT (or --targets A:P,B:P), or use --self-check";
        if (options.Clients is < 1 or > 1_000_000) return "--clients must be between 1 and 1000000";
        if (options.ClientsPerWorker is < 1 or > MaxClientsPerWorker) return $"--clients-per-worker must be between 1 and {MaxClientsPerWorker} (one socket per client; 20,000 open files per process)";
        if (options.HeartbeatSeconds < 0.05) return "--heartbeat-seconds must be at least 0.05";
        if (options.DurationSeconds is <= 0 or > 86_400) return "--duration must be above 0 and at most 86400 seconds";
        if (options.SpreadSeconds < 0 || options.SpreadSeconds >= options.DurationSeconds) return "--spread-seconds must be at least 0 and below --duration";
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
