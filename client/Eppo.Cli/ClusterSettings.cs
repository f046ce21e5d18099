using System.ComponentModel;
using Eppo.Silo;
using Microsoft.Extensions.Configuration;
using Spectre.Console.Cli;

namespace Eppo.Cli;

/// <summary>Options every command that talks to a cluster takes.</summary>
public class ClusterSettings : CommandSettings
{
    [CommandOption("--cluster <PROFILE>"), Description("Cluster profile: local (default), azure, or kubernetes (a silo in a pod: azure storage, identity from the pod; a client treats it as azure)"), DefaultValue("local")]
    public string Cluster { get; init; } = "local";

    [CommandOption("--gateway-port <PORT>"), Description("Gateway port of a local cluster"), DefaultValue(30000)]
    public int GatewayPort { get; init; } = 30000;

    [CommandOption("--cluster-id <ID>"), Description("Orleans cluster id"), DefaultValue("eppo")]
    public string ClusterId { get; init; } = "eppo";

    [CommandOption("--service-id <ID>"), Description("Orleans service id"), DefaultValue("eppo")]
    public string ServiceId { get; init; } = "eppo";

    [CommandOption("--tls-cert <PFX>"), Description("Cluster certificate (PFX): TLS on Orleans connections. Env: Eppo__Tls__Certificate")]
    public string? TlsCertificate { get; init; }

    [CommandOption("--tls-password <PASSWORD>"), Description("Password of the PFX; prefer the env variable Eppo__Tls__Password")]
    public string? TlsPassword { get; init; }

    [CommandOption("--connect-timeout <SECONDS>"), Description("How long to wait for the gateway to accept this client"), DefaultValue(10.0)]
    public double ConnectTimeoutSeconds { get; init; } = 10.0;

    /// <summary>The certificate path from the flag, else from the environment (the same keys the silo reads).</summary>
    public string? TlsCertificatePath => TlsCertificate ?? Environment[GatewayTls.CertificateKey];

    public string? TlsCertificatePassword => TlsPassword ?? Environment[GatewayTls.PasswordKey];

    static readonly IConfiguration Environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();

    [CommandOption("--connection-string <CONN>"),
     Description("Azure Storage connection string (azure profile); prefer the environment variable EPPO_STORAGE_CONNECTION, which other users cannot see in the process list")]
    public string? ConnectionString { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        if (Cluster is not ("local" or "azure" or "kubernetes"))
            return Spectre.Console.ValidationResult.Error($"--cluster: unknown profile '{Cluster}' (expected local, azure or kubernetes)");
        if (GatewayPort is <= 0 or > 65535)
            return Spectre.Console.ValidationResult.Error($"--gateway-port: {GatewayPort} is not a port number");
        if (!(ConnectTimeoutSeconds > 0 && ConnectTimeoutSeconds <= 600))
            return Spectre.Console.ValidationResult.Error($"--connect-timeout: {ConnectTimeoutSeconds} is not between 0 and 600 seconds");
        if (TlsPassword is not null && TlsCertificate is null)
            return Spectre.Console.ValidationResult.Error("--tls-password: given without --tls-cert");
        return base.Validate();
    }
}
