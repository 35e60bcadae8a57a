using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using TixTrigger.Grains;
using TixTrigger.Hosting;
using TixTrigger.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace TixTrigger.Tests.Security;

/// <summary>
/// ORLEANS_TLS_CERTIFICATE: silos and gateways speak TLS to each other and the service works as
/// before; an Orleans client without the cluster's certificate, or with a certificate of its own,
/// cannot connect.
/// </summary>
public sealed class ClusterTlsTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tixtrigger-tls-").FullName;
    private LocalCluster _cluster = null!;
    private string _certificate = "";

    public async Task InitializeAsync()
    {
        _certificate = WriteSelfSigned("cluster.pfx");
        _cluster = await LocalCluster.StartAsync(silos: 1, gateways: ["a"], environment: new Dictionary<string, string> { ["ORLEANS_TLS_CERTIFICATE"] = _certificate });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task With_TLS_phones_are_pinged_and_their_shards_hold_them()
    {
        using var fleet = new PingFleet(20);
        fleet.Heartbeat(_cluster.Gateways["a"].Endpoint);

        Assert.True(await Eventually.True(() => fleet.Clients.All(c => c.Count >= 2), TimeSpan.FromSeconds(5)));
        Assert.Contains(_cluster.Silos[0].Output, line => line.Contains("with TLS", StringComparison.Ordinal));
        await using var client = await ConnectAsync(X509CertificateLoader.LoadPkcs12FromFile(_certificate, null));
        Assert.True(await Eventually.True(async () => await _cluster.MembersOfAsync(client.Services.GetRequiredService<IClusterClient>(), "a") == 20, TimeSpan.FromSeconds(10)),
            "the shards never held the 20 clients: the gateway cannot reach the silo over TLS\n" + _cluster.Describe());
    }

    [Fact]
    public async Task A_client_without_the_certificate_cannot_connect()
    {
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await ConnectAsync(null)).DisposeAsync());
    }

    [Fact]
    public async Task A_TLS_client_that_shows_no_certificate_cannot_connect()
    {
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await ConnectAsync(null, client =>
            client.UseTls(options => options.AllowAnyRemoteCertificate()))).DisposeAsync());
    }

    [Fact]
    public async Task A_client_with_a_certificate_of_its_own_cannot_connect()
    {
        var stranger = X509CertificateLoader.LoadPkcs12FromFile(WriteSelfSigned("stranger.pfx"), null);

        await Assert.ThrowsAnyAsync<Exception>(async () => await (await ConnectAsync(stranger)).DisposeAsync());
    }

    /// <summary>An Orleans client of the cluster that gives up at the first failed connection.</summary>
    private async Task<AsyncDisposableHost> ConnectAsync(X509Certificate2? certificate, Action<IClientBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.UseTixTriggerLogging(LogLevel.Critical);
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(options => options.ConfigurationOptions = RedisSettings.Parse(_cluster.Redis.ConnectionString));
            client.Configure<ClusterOptions>(options => options.ClusterId = options.ServiceId = _cluster.ClusterId);
            client.UseClusterTls(certificate);
            configure?.Invoke(client);
        });
        var host = new AsyncDisposableHost(builder.Build());
        // A refused client does not always fail fast: the handshake may just time out.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await host.Host.StartAsync(timeout.Token);
            await host.Services.GetRequiredService<IClusterClient>().GetGrain<IPingShardGrain>(ShardKey.Format("a", 0)).GetSnapshot();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private sealed class AsyncDisposableHost(IHost host) : IAsyncDisposable
    {
        public IHost Host => host;

        public IServiceProvider Services => host.Services;

        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await host.StopAsync(timeout.Token);
            }
            catch (Exception)
            {
                // A client that never connected may fail to stop cleanly; it is discarded either way.
            }
            host.Dispose();
        }
    }

    private string WriteSelfSigned(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=tixtrigger-{name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx));
        return path;
    }
}
