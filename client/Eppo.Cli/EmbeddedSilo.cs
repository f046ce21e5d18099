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
}
