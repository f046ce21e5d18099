using System.ComponentModel;
using Spectre.Console.Cli;

namespace Eppo.Cli;

/// <summary>Options every command that talks to a cluster takes.</summary>
public class ClusterSettings : CommandSettings
{
    [CommandOption("--cluster <PROFILE>"), Description("Cluster profile: local (default) or azure"), DefaultValue("local")]
    public string Cluster { get; init; } = "local";

    [CommandOption("--gateway-port <PORT>"), Description("Gateway port of a local cluster"), DefaultValue(30000)]
    public int GatewayPort { get; init; } = 30000;

    [CommandOption("--cluster-id <ID>"), Description("Orleans cluster id"), DefaultValue("eppo")]
    public string ClusterId { get; init; } = "eppo";

    [CommandOption("--service-id <ID>"), Description("Orleans service id"), DefaultValue("eppo")]
    public string ServiceId { get; init; } = "eppo";

    [CommandOption("--connection-string <CONN>"),
     Description("Azure Storage connection string (azure profile); prefer the environment variable EPPO_STORAGE_CONNECTION, which other users cannot see in the process list")]
    public string? ConnectionString { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        if (Cluster is not ("local" or "azure"))
            return Spectre.Console.ValidationResult.Error($"--cluster: unknown profile '{Cluster}' (expected local or azure)");
        if (GatewayPort is <= 0 or > 65535)
            return Spectre.Console.ValidationResult.Error($"--gateway-port: {GatewayPort} is not a port number");
        return base.Validate();
    }
}
