using System.Diagnostics;
using Eppo.Cli.Commands;

namespace Eppo.Cli.Bench;

/// <summary>
/// A local cluster of silo processes on loopback for a benchmark: `eppo silo` children of this program, each with its
/// own libtorch, the first one the primary; killed when disposed.
/// </summary>
public sealed class SiloProcesses : IAsyncDisposable
{
    readonly List<Process> silos = [];
    ClusterConnection? connection;

    public string ClusterId { get; } = $"bench-{Guid.NewGuid():N}"[..14];

    public IClusterClient Client => (connection ?? throw new InvalidOperationException("not started")).Client;

    /// <summary>One silo per entry of <paramref name="stages"/> (its --stages), <paramref name="threads"/> libtorch threads each, all on <paramref name="dataRoot"/>.</summary>
    public static async Task<SiloProcesses> StartAsync(IReadOnlyList<string> stages, int threads, string dataRoot, CancellationToken cancellation)
    {
        var cluster = new SiloProcesses();
        try
        {
            var primary = PortCheck.FreePort();
            var gateway = 0;
            for (var i = 0; i < stages.Count; i++)
            {
                var port = i == 0 ? primary : PortCheck.FreePort();
                var gatewayPort = PortCheck.FreePort();
                if (i == 0) gateway = gatewayPort;
                cluster.silos.Add(Start([
                    "silo", "--cluster", "local", "--cluster-id", cluster.ClusterId, "--silo-port", Text(port), "--gateway-port", Text(gatewayPort),
                    "--primary-port", Text(primary), "--metrics-url", "none", "--data", dataRoot, "--threads", Text(threads),
                    "--stages", stages[i], "--failure-detection", "fast",
                ]));
            }
            await GatewayUpAsync(cluster, gateway, cancellation);
            cluster.connection = await ClusterConnection.ConnectAsync(
                new ClusterSettings { GatewayPort = gateway, ClusterId = cluster.ClusterId, ConnectTimeoutSeconds = 60 }, cancellation);
            var management = cluster.Client.GetGrain<IManagementGrain>(0);
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while ((await management.GetHosts(onlyActive: true)).Count < stages.Count)
            {
                if (cluster.silos.FirstOrDefault(p => p.HasExited) is { } dead)
                    throw new EppoException($"bench: a silo process exited ({dead.ExitCode}) before the cluster formed");
                if (DateTime.UtcNow > deadline) throw new EppoException($"bench: {stages.Count} silos did not join within 2 minutes");
                await Task.Delay(250, cancellation);
            }
            await Task.Delay(TimeSpan.FromSeconds(3), cancellation);  // every silo has the others' grain manifests (placement reads them)
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the primary's gateway to accept connections (a silo process takes seconds to load).</summary>
    static async Task GatewayUpAsync(SiloProcesses cluster, int port, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellation);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                if (cluster.silos[0].HasExited) throw new EppoException($"bench: the primary silo process exited ({cluster.silos[0].ExitCode})");
                await Task.Delay(250, cancellation);
            }
        }
    }

    static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    static Process Start(IEnumerable<string> args)
    {
        var exe = Environment.ProcessPath ?? throw new EppoException("bench: cannot tell which program is running, to start silo processes");
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Run as `dotnet eppo.dll …` the program is dotnet: the CLI's assembly comes first.
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") info.ArgumentList.Add(typeof(SiloProcesses).Assembly.Location);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null) await connection.DisposeAsync();
        foreach (var silo in silos)
        {
            try { if (!silo.HasExited) silo.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await silo.WaitForExitAsync();
            silo.Dispose();
        }
    }
}
