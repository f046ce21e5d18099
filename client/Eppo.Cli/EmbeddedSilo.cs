using Eppo.Cli.Commands;
using Eppo.Silo;

namespace Eppo.Cli;

/// <summary>The settings of a silo hosted inside this process (the demo, the benchmarks): free loopback ports, its own primary, no metrics listener, quiet logs.</summary>
public static class EmbeddedSilo
{
    public static SiloSettings Settings(string clusterId, string dataRoot)
    {
        var port = PortCheck.FreePort();
        return new SiloSettings
        {
            SiloPort = port, PrimarySiloPort = port, GatewayPort = PortCheck.FreePort(), ClusterId = clusterId,
            MetricsUrl = null, DataRoot = dataRoot, LogLevel = LogLevel.Error,
        };
    }

    /// <summary>
    /// An embedded silo for a study of many small concurrent runs (demo, tune): two compute threads of one libtorch
    /// thread each, which beat one thread of two for such runs. Sets the process's threads to match.
    /// </summary>
    public static SiloSettings ForStudy(string clusterId, string dataRoot)
    {
        Core.Torch.UseThreads(1);
        Core.ComputeThreads.EnsureAtLeast(2);
        return Settings(clusterId, dataRoot) with { TorchThreads = 1, ComputeThreads = 2 };
    }
}
