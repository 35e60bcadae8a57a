using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace TixTrigger.Hosting;

/// <summary>
/// TLS between the nodes of a cluster (<c>ORLEANS_TLS_CERTIFICATE</c>). Both sides of every
/// connection show a certificate, gateways included, and accept the other side's if the system
/// trusts it (certificates from a CA) or if it is the very certificate this node has (one
/// self-signed certificate shared by the whole cluster). Anyone else cannot connect.
/// </summary>
public static class ClusterTls
{
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, X509Certificate2? certificate)
    {
        if (certificate is not null) silo.UseTls(certificate, options => Configure(options, certificate));
        return silo;
    }

    public static IClientBuilder UseClusterTls(this IClientBuilder client, X509Certificate2? certificate)
    {
        if (certificate is not null) client.UseTls(certificate, options => Configure(options, certificate));
        return client;
    }

    private static void Configure(TlsOptions options, X509Certificate2 own)
    {
        // Both directions: a silo requires the gateways' (clients') certificates as well as the other silos'.
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (remote, _, errors) =>
            errors == SslPolicyErrors.None || (remote is not null && remote.RawDataMemory.Span.SequenceEqual(own.RawDataMemory.Span));
    }
}
