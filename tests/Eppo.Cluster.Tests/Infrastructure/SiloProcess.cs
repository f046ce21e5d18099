using Eppo.Tests;

namespace Eppo.Cluster.Tests.Infrastructure;

/// <summary>One `eppo silo --cluster azure` process on loopback, with its own data directory (its download cache).</summary>
internal sealed class SiloProcess : IDisposable
{
    public required string Name { get; init; }
    public required int SiloPort { get; init; }
    public required int GatewayPort { get; init; }
    public required ChildProcess Process { get; init; }

    /// <summary>Whether an Orleans silo identity ("S127.0.0.1:port:generation") names this silo.</summary>
    public bool Is(string siloIdentity) => siloIdentity.Contains($":{SiloPort}:", StringComparison.Ordinal);

    public static async Task<SiloProcess> StartAsync(string name, string workDirectory, string connectionString, string serviceId, string clusterId)
    {
        int siloPort = LoopbackPorts.Free(), gatewayPort = LoopbackPorts.Free();
        var data = Path.Combine(workDirectory, name);
        Directory.CreateDirectory(data);
        var process = ChildProcess.Start("dotnet",
            [Repo.Cli, "silo", "--cluster", "azure", "--service-id", serviceId, "--cluster-id", clusterId,
             "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--metrics-url", "none",
             "--data", data, "--threads", "1", "--failure-detection", "fast"],
            Path.Combine(workDirectory, $"{name}.log"),
            new Dictionary<string, string?> { ["EPPO_STORAGE_CONNECTION"] = connectionString, ["DOTNET_gcServer"] = "0" });
        var silo = new SiloProcess { Name = name, SiloPort = siloPort, GatewayPort = gatewayPort, Process = process };
        try
        {
            await process.WaitForOutputAsync("silo up", TimeSpan.FromSeconds(60), $"silo {name}");
        }
        catch
        {
            silo.Dispose();
            throw;
        }
        return silo;
    }

    public bool Alive => !Process.HasExited;

    public void Kill() => Process.Kill();

    public Task<bool> TerminateAsync() => Process.TerminateAsync(TimeSpan.FromSeconds(45));

    public void Dispose() => Process.Dispose();

    public override string ToString() => $"{Name} (silo port {SiloPort})";
}
