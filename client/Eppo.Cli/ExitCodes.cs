namespace Eppo.Cli;

/// <summary>Process exit codes, documented in `eppo --help` and docs/operations.md.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A run failed, or an unexpected error.</summary>
    public const int Failure = 1;
    /// <summary>Bad input: flags, config file, run id.</summary>
    public const int UserError = 2;
    /// <summary>No cluster answered at the configured gateway, or (azure profile) its storage did not answer.</summary>
    public const int ClusterUnreachable = 3;
}
