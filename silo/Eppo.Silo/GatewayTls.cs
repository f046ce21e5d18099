using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Eppo.Core;
using Orleans.Connections.Security;

namespace Eppo.Silo;

/// <summary>
/// TLS on every Orleans connection (client ↔ gateway and silo ↔ silo) with one cluster certificate, a PFX file that
/// silos and clients share. Each side presents it and accepts the other side when the certificate is the same one
/// (pinned by thumbprint) or chains to a trusted root; anyone without the certificate cannot connect.
/// </summary>
public sealed class GatewayTls
{
    /// <summary>Configuration keys (environment: Eppo__Tls__Certificate, Eppo__Tls__Password).</summary>
    public const string CertificateKey = "Eppo:Tls:Certificate";
    public const string PasswordKey = "Eppo:Tls:Password";

    public X509Certificate2 Certificate { get; }

    GatewayTls(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>Null when no certificate path is given (TLS off); otherwise the loaded certificate or a one-line error.</summary>
    public static GatewayTls? Load(string? pfxPath, string? password)
    {
        if (string.IsNullOrWhiteSpace(pfxPath)) return null;
        if (!File.Exists(pfxPath)) throw new EppoException($"--tls-cert {pfxPath}: certificate file not found");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(pfxPath, password);
        }
        catch (CryptographicException e)
        {
            throw new EppoException($"--tls-cert {pfxPath}: not a readable PFX with this password ({e.Message.TrimEnd('.')})");
        }
        if (!certificate.HasPrivateKey)
            throw new EppoException($"--tls-cert {pfxPath}: the certificate has no private key (a PFX with its key is needed)");
        return new GatewayTls(certificate);
    }

    public void Configure(TlsOptions options)
    {
        options.LocalCertificate = Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = Accepts;
    }

    /// <summary>The cluster certificate itself (self-signed is fine), or any certificate the platform trusts.</summary>
    public bool Accepts(X509Certificate2 remote, X509Chain? chain, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None
        || (remote is not null && string.Equals(remote.Thumbprint, Certificate.Thumbprint, StringComparison.OrdinalIgnoreCase));
}
