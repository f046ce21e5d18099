using Azure.Data.Tables;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Eppo.Cluster.Tests.Infrastructure;

/// <summary>
/// Silo processes of one test (own service id, so runs of other tests are not woken here) and an Orleans client
/// that finds gateways in the Azure membership table.
/// </summary>
internal sealed class ProcessCluster(ClusterFixture fixture, string name) : IAsyncDisposable
{
    readonly string workDirectory = Directory.CreateDirectory(Path.Combine(fixture.WorkDirectory, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)])).FullName;
    int siloCount;
    IHost? clientHost;

    public string ServiceId { get; } = $"svc-{Guid.NewGuid():N}"[..16];
    public string ClusterId { get; private set; } = $"c-{Guid.NewGuid():N}"[..14];
    public List<SiloProcess> Silos { get; } = [];
    public IClusterClient Client => (clientHost ?? throw new InvalidOperationException("not connected")).Services.GetRequiredService<IClusterClient>();

    public async Task<SiloProcess> StartSiloAsync()
    {
        var silo = await SiloProcess.StartAsync($"silo{Interlocked.Increment(ref siloCount)}", workDirectory, fixture.ConnectionString, ServiceId, ClusterId);
        lock (Silos) Silos.Add(silo);
        return silo;
    }

    public async Task StartSilosAsync(int count)
    {
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartSiloAsync()));
        await ConnectAsync();
    }

    /// <summary>A new cluster id: what an operator does after a whole-cluster crash (grain state is keyed by the service id).</summary>
    public async Task RenameClusterAsync()
    {
        await DisconnectAsync();
        ClusterId = $"c-{Guid.NewGuid():N}"[..14];
    }

    public async Task ConnectAsync()
    {
        if (clientHost is not null) return;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddEppoSerialization();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ServiceId;
            });
            client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(fixture.ConnectionString));
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        var host = builder.Build();
        await host.StartAsync();
        clientHost = host;
    }

    public async Task DisconnectAsync()
    {
        if (clientHost is null) return;
        try { await clientHost.StopAsync(TimeSpan.FromSeconds(5)); } catch (OperationCanceledException) { }
        clientHost.Dispose();
        clientHost = null;
    }

    public async Task<string> StartRunAsync(RunSpec? spec = null)
    {
        spec ??= fixture.Spec;
        var runId = $"{spec.Name}-{Guid.NewGuid():N}"[..(spec.Name.Length + 9)];
        await Client.GetGrain<IRunGrain>(runId).StartAsync(spec.ToJson());
        return runId;
    }

    /// <summary>Waits on the run (riding out calls that fail while a silo is being declared dead) until <paramref name="until"/> holds.</summary>
    public async Task<RunStatus> WaitAsync(string runId, Func<RunStatus, bool> until, TimeSpan timeout)
    {
        try
        {
            return await new RunWaiter(Client) { Tolerance = timeout }.UntilAsync(runId, until, timeout: timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Logs()}", e);
        }
    }

    public Task<RunStatus> WaitForEndAsync(string runId, TimeSpan timeout) =>
        WaitAsync(runId, s => s.State is RunState.Completed or RunState.Failed or RunState.Stopped, timeout);

    /// <summary>
    /// From <paramref name="since"/> until an iteration completes: the run's iteration rises above the lowest value
    /// seen after the fault (a run rolled back to its checkpoint counts from there).
    /// </summary>
    public async Task<TimeSpan> TimeToMoveAgainAsync(string runId, DateTime since, TimeSpan timeout)
    {
        var lowest = int.MaxValue;
        await WaitAsync(runId, s =>
        {
            if (s.State == RunState.Completed) return true;
            lowest = Math.Min(lowest, s.Iteration);
            return s.Iteration > lowest;
        }, timeout);
        return DateTime.UtcNow - since;
    }

    /// <summary>Runs the CLI as a client of this cluster (azure profile, connection string from the environment).</summary>
    public async Task<(int ExitCode, string Output)> CliAsync(params string[] args)
    {
        using var process = ChildProcess.Start("dotnet",
            [Repo.Cli, .. args, "--cluster", "azure", "--cluster-id", ClusterId, "--service-id", ServiceId],
            Path.Combine(workDirectory, "cli.log"), new Dictionary<string, string?> { ["EPPO_STORAGE_CONNECTION"] = fixture.ConnectionString });
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.Output);
    }

    /// <summary>The silo process hosting a grain's activation, or null when it has none right now.</summary>
    /// <summary>
    /// The silo whose catalog holds an activation of <paramref name="grain"/>, asked of every silo. Not
    /// IManagementGrain.GetActivationAddress: that answers from its own silo's directory cache, which can keep naming
    /// the silo a retired grain left (the scale-out test then saw generators "stay" where they no longer were).
    /// </summary>
    public async Task<SiloProcess?> HostOfAsync(IAddressable grain)
    {
        var id = grain.GetGrainId();
        var activations = await Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var address = activations.FirstOrDefault(a => a.GrainId == id)?.SiloAddress;
        lock (Silos) return address is null ? null : Silos.Single(s => s.SiloPort == address.Endpoint.Port);
    }

    public string Logs()
    {
        lock (Silos) return string.Join("\n", Silos.Select(s => $"--- {s} ({(s.Alive ? "alive" : $"exited {s.Process.ExitCode}")}):\n{s.Process.Tail(25)}"));
    }

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync();
        lock (Silos) foreach (var silo in Silos) silo.Dispose();
    }
}
