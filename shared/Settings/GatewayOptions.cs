using System.Net;
using Microsoft.Extensions.Configuration;

namespace TixTrigger.Settings;

/// <summary>The UDP gateway's settings, with the original service's names and defaults.</summary>
public sealed class GatewayOptions
{
    /// <summary>A heartbeat is any datagram up to this size; longer ones are dropped and counted.</summary>
    public const int MaxHeartbeatBytes = 64;

    public const int DefaultPort = 7561;

    /// <summary><c>HOST</c>: where to listen. A wildcard listens on every local address, and pings leave from the address each client used.</summary>
    public IPAddress Host { get; set; } = IPAddress.Any;

    /// <summary><c>PORT</c>. Zero (tests only) takes any free port.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary><c>WORKER_POOL_SIZE</c>: ping shards per gateway.</summary>
    public int WorkerPoolSize { get; set; } = 10;

    /// <summary><c>CLIENT_EXPIRATION_SECONDS</c>: how long a heartbeat keeps a client pinged.</summary>
    public int ClientExpirationSeconds { get; set; } = 120;

    /// <summary><c>GATEWAY_ID</c>: the identity under which a restarted gateway resumes its shards.</summary>
    public string GatewayId { get; set; } = "gateway";

    /// <summary><c>MAX_CLIENTS_PER_IP</c>: bounds what one source address can make us ping.</summary>
    public int MaxClientsPerIp { get; set; } = 4096;

    /// <summary><c>MAX_CLIENTS</c>: bounds the gateway's memory under abuse.</summary>
    public int MaxClients { get; set; } = 1_000_000;

    /// <summary>How often the gateway re-announces itself to its shards.</summary>
    public TimeSpan AnnounceInterval { get; set; } = TimeSpan.FromSeconds(2);

    public static GatewayOptions FromConfiguration(IConfiguration configuration)
    {
        var read = new SettingReader(configuration);
        int port = read.Port("PORT", DefaultPort);
        return new GatewayOptions
        {
            Host = read.Address("HOST", "0.0.0.0"),
            Port = port,
            WorkerPoolSize = read.Int("WORKER_POOL_SIZE", 10, 1, 1024),
            ClientExpirationSeconds = read.Int("CLIENT_EXPIRATION_SECONDS", 120, 1, 86_400),
            GatewayId = read.Identifier("GATEWAY_ID", $"{Environment.MachineName}-{port}"),
            MaxClientsPerIp = read.Int("MAX_CLIENTS_PER_IP", 4096, 1, 10_000_000),
            MaxClients = read.Int("MAX_CLIENTS", 1_000_000, 1, 50_000_000),
        };
    }
}
