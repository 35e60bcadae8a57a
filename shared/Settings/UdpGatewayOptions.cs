using System.Net;
using Microsoft.Extensions.Configuration;
using TixTrigger.Endpoints;

namespace TixTrigger.Settings;

/// <summary>The UDP gateway's settings, with the original service's names and defaults.</summary>
public sealed class UdpGatewayOptions
{
    /// <summary>A heartbeat is any datagram up to this size; longer ones are dropped and counted.</summary>
    public const int MaxHeartbeatBytes = 64;

    public const int DefaultPort = 7561;
    public const int DefaultShardsPerGateway = 10;
    public const int DefaultClientExpirationSeconds = 120;
    public const int DefaultMaxClientsPerIp = 4096;
    public const int DefaultMaxClients = 1_000_000;
    public const int DefaultMaxPingsPerSecondPerPrefix = 1024;
    public const int DefaultNewClientsPerSecond = 20_000;
    public const int DefaultNewClientsPerSecondPerPrefix = 100;
    public const string DefaultPrefixLimitsExempt = "127.0.0.0/8,::1/128";
    public const string DefaultStateDirectory = "state";

    /// <summary><c>HOST</c>: where to listen. A wildcard listens on every local address, and pings leave from the address each client used.</summary>
    public IPAddress Host { get; set; } = IPAddress.Any;

    /// <summary><c>PORT</c>. Zero (tests only) takes any free port.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary><c>WORKER_POOL_SIZE</c> (the original's name): ping shards per gateway.</summary>
    public int ShardsPerGateway { get; set; } = DefaultShardsPerGateway;

    /// <summary><c>CLIENT_EXPIRATION_SECONDS</c>: how long a heartbeat keeps a client pinged.</summary>
    public int ClientExpirationSeconds { get; set; } = DefaultClientExpirationSeconds;

    /// <summary><c>GATEWAY_ID</c>: the identity under which a restarted gateway resumes its shards.</summary>
    public string GatewayId { get; set; } = DefaultGatewayId(DefaultPort);

    /// <summary><c>MAX_CLIENTS_PER_IP</c>: bounds what one source address can make us ping.</summary>
    public int MaxClientsPerIp { get; set; } = DefaultMaxClientsPerIp;

    /// <summary><c>MAX_CLIENTS</c>: bounds the gateway's memory under abuse.</summary>
    public int MaxClients { get; set; } = DefaultMaxClients;

    /// <summary>
    /// <c>MAX_PINGS_PER_SECOND_PER_PREFIX</c>: how many clients (one ping a second each) one /24
    /// (IPv4) or /56 (IPv6) may have across every gateway of the cluster: bounds the pings a forger
    /// can aim at one network, as DNS Response Rate Limiting does, however many gateways there are.
    /// </summary>
    public int MaxPingsPerSecondPerPrefix { get; set; } = DefaultMaxPingsPerSecondPerPrefix;

    /// <summary><c>NEW_CLIENTS_PER_SECOND</c>: the rate of new registrations one gateway accepts (bursts of one second's worth).</summary>
    public int NewClientsPerSecond { get; set; } = DefaultNewClientsPerSecond;

    /// <summary><c>NEW_CLIENTS_PER_SECOND_PER_PREFIX</c>: the same per /24 or /56 (bursts of five seconds' worth).</summary>
    public int NewClientsPerSecondPerPrefix { get; set; } = DefaultNewClientsPerSecondPerPrefix;

    /// <summary>
    /// <c>PREFIX_LIMITS_EXEMPT</c>: sources the per-prefix limits do not apply to. By default this
    /// host's loopback: nothing outside the host can send from it, and pings to it never leave the host.
    /// </summary>
    public AddressRange[] PrefixLimitsExempt { get; set; } = ParseRanges(DefaultPrefixLimitsExempt);

    /// <summary>
    /// <c>STATE_DIR</c>: where the gateway keeps a snapshot of its clients (one file per GATEWAY_ID),
    /// so that a restart pings them at once without waiting for their heartbeats. Null: none kept.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>How often the gateway announces itself (<see cref="Protocol.ClusterTiming.AnnounceInterval"/>); tests stretch it.</summary>
    public TimeSpan AnnounceInterval { get; set; } = Protocol.ClusterTiming.AnnounceInterval;

    /// <summary>The host name and the port: stable across restarts of one gateway, distinct between gateways on one host.</summary>
    public static string DefaultGatewayId(int port) => $"{Environment.MachineName}-{port}";

    private static AddressRange[] ParseRanges(string ranges) =>
        [.. ranges.Split(',').Select(range => AddressRange.TryParse(range, out var parsed) ? parsed : throw new FormatException(range))];

    public static UdpGatewayOptions FromConfiguration(IConfiguration configuration)
    {
        var read = new SettingReader(configuration);
        int port = read.Port("PORT", DefaultPort);
        return new UdpGatewayOptions
        {
            Host = read.Address("HOST", "0.0.0.0"),
            Port = port,
            ShardsPerGateway = read.Int("WORKER_POOL_SIZE", DefaultShardsPerGateway, 1, 1024),
            ClientExpirationSeconds = read.Int("CLIENT_EXPIRATION_SECONDS", DefaultClientExpirationSeconds, 1, 86_400),
            GatewayId = read.Identifier("GATEWAY_ID", DefaultGatewayId(port)),
            MaxClientsPerIp = read.Int("MAX_CLIENTS_PER_IP", DefaultMaxClientsPerIp, 1, 10_000_000),
            MaxClients = read.Int("MAX_CLIENTS", DefaultMaxClients, 1, 50_000_000),
            MaxPingsPerSecondPerPrefix = read.Int("MAX_PINGS_PER_SECOND_PER_PREFIX", DefaultMaxPingsPerSecondPerPrefix, 1, 50_000_000),
            NewClientsPerSecond = read.Int("NEW_CLIENTS_PER_SECOND", DefaultNewClientsPerSecond, 1, 10_000_000),
            NewClientsPerSecondPerPrefix = read.Int("NEW_CLIENTS_PER_SECOND_PER_PREFIX", DefaultNewClientsPerSecondPerPrefix, 1, 10_000_000),
            PrefixLimitsExempt = read.AddressRanges("PREFIX_LIMITS_EXEMPT", DefaultPrefixLimitsExempt),
            StateDirectory = read.WritableDirectory("STATE_DIR", DefaultStateDirectory),
        };
    }
}
