using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TixTrigger.Settings;

/// <summary>
/// A certificate with its private key, read from a file named by a setting: PKCS#12 (<c>.pfx</c>,
/// <c>.p12</c>, with an optional password setting) or PEM holding the certificate and its key.
/// Checked when the node starts, so a wrong path or an expired certificate costs one line, not a
/// cluster that silently refuses every connection.
/// </summary>
public static class CertificateSetting
{
    private const string Accepts = "the path of a readable PKCS#12 (.pfx) file, or a PEM file with the certificate and its private key, that is valid now";

    public static X509Certificate2? Read(SettingReader read, string pathName, string passwordName)
    {
        string? path = read.OptionalString(pathName);
        if (path is null) return null;
        string? password = read.OptionalString(passwordName);
        X509Certificate2 certificate;
        try
        {
            certificate = Load(path, password);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            // No loader puts the password in its message today; should one ever, it still goes no further.
            string reason = string.IsNullOrEmpty(password) ? error.Message : error.Message.Replace(password, "***", StringComparison.Ordinal);
            throw new InvalidSettingException(pathName, path, $"{Accepts} ({reason.TrimEnd('.')})");
        }
        if (!certificate.HasPrivateKey) throw new InvalidSettingException(pathName, path, $"{Accepts} (this one has no private key)");
        var now = DateTime.Now;
        if (now < certificate.NotBefore || now > certificate.NotAfter)
        {
            throw new InvalidSettingException(pathName, path, $"{Accepts} (this one is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u})");
        }
        return certificate;
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        string text = File.ReadAllText(path);
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return password is null ? X509Certificate2.CreateFromPem(text, text) : X509Certificate2.CreateFromEncryptedPem(text, text, password);
        }
        return X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }
}
