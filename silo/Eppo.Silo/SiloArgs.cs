using Eppo.Core;

namespace Eppo.Silo;

/// <summary>Minimal flag parsing for the standalone silo executable (the CLI has the full option set).</summary>
public static class SiloArgs
{
    public static SiloSettings Parse(string[] args)
    {
        var settings = new SiloSettings();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new EppoException($"{args[i]}: missing value");
            int Port() => int.TryParse(Value(), out var p) && p is > 0 and < 65536 ? p : throw new EppoException($"{args[i - 1]}: not a port number");
            settings = args[i] switch
            {
                "--cluster" => settings with { Cluster = Value() },
                "--silo-port" => settings with { SiloPort = Port() },
                "--gateway-port" => settings with { GatewayPort = Port() },
                "--primary-port" => settings with { PrimarySiloPort = Port() },
                "--metrics-url" => settings with { MetricsUrl = Value() },
                "--data" => settings with { DataRoot = Value() },
                "--device" => settings with { Device = Value() },
                "--connection-string" => settings with { ConnectionString = Value() },
                "--failure-detection" => settings with { FailureDetection = Value() },
                "--advertise" => settings with { AdvertisedAddress = Value() },
                "--cluster-id" => settings with { ClusterId = Value() },
                "--service-id" => settings with { ServiceId = Value() },
                _ => settings,
            };
        }
        return settings;
    }
}
