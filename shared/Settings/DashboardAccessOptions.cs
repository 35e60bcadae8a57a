using System.Net;
using Microsoft.Extensions.Configuration;

namespace TixTrigger.Settings;

/// <summary>
/// Who may open a silo's dashboard and status page. Probes and <c>/metrics</c> stay open: an
/// orchestrator and Prometheus need them, and they show nothing about clients.
/// </summary>
public sealed class DashboardAccessOptions
{
    public const string DefaultUser = "admin";
    public const int MinimumPasswordLength = 8;

    /// <summary><c>DASHBOARD_USER</c>; <c>admin</c> when only a password is set.</summary>
    public string User { get; set; } = DefaultUser;

    /// <summary><c>DASHBOARD_PASSWORD</c>: turns on basic authentication for everything but the probes and /metrics.</summary>
    public string? Password { get; set; }

    public bool RequiresLogin => Password is not null;

    /// <summary>
    /// <c>DASHBOARD_LISTEN_IP</c>: where DASHBOARD_PORT listens. Unset: a single node on this machine only (its quick
    /// start has no password), a clustered silo on every interface (compose publishes it from the container).
    /// </summary>
    public IPAddress? ListenIP { get; set; }

    /// <summary><c>DASHBOARD_LOG_STREAM</c>: the dashboard's live log stream shows client endpoints, so it is off unless asked for.</summary>
    public bool LogStream { get; set; }

    public static DashboardAccessOptions FromConfiguration(IConfiguration configuration)
    {
        var read = new SettingReader(configuration);
        string? user = read.OptionalString("DASHBOARD_USER");
        string? password = read.OptionalString("DASHBOARD_PASSWORD");
        if (user is not null && password is null)
        {
            throw new InvalidSettingException("DASHBOARD_USER", user, $"a user name only together with DASHBOARD_PASSWORD (at least {MinimumPasswordLength} characters), which turns the login on");
        }
        if (password is not null && password.Length < MinimumPasswordLength)
        {
            throw new InvalidSettingException("DASHBOARD_PASSWORD", "(hidden)", $"a password of at least {MinimumPasswordLength} characters");
        }
        if (user is not null && user.Contains(':'))
        {
            throw new InvalidSettingException("DASHBOARD_USER", user, "a user name without ':' (basic authentication cannot carry one)");
        }
        return new DashboardAccessOptions
        {
            User = user ?? DefaultUser,
            Password = password,
            ListenIP = read.OptionalString("DASHBOARD_LISTEN_IP") is null ? null : read.Address("DASHBOARD_LISTEN_IP", "127.0.0.1"),
            LogStream = read.Bool("DASHBOARD_LOG_STREAM", false),
        };
    }
}
