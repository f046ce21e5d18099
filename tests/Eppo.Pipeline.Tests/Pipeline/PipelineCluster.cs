using Eppo.Contracts;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>An in-process test cluster with the Eppo grains, memory storage and a temporary data root; shared by the collection.</summary>
public sealed class PipelineCluster : IAsyncLifetime
{
    public string DataRoot { get; } = Directory.CreateTempSubdirectory("eppo-pipeline-").FullName;
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;
    public LearnCallRecorder Recorder { get; } = new();
    public ScoreCallCounter Scores { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(EppoStorage.Name);
            silo.UseInMemoryReminderService();
            // Small weight chunks: every policy sync in these tests travels in many pieces.
            silo.AddEppoGrains(o => { o.DataRoot = DataRoot; o.WeightChunkBytes = 8192; });
            silo.AddIncomingGrainCallFilter(Recorder);
            silo.AddIncomingGrainCallFilter(Scores);
        });
        builder.ConfigureClient(client => client.Services.AddEppoSerialization());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try { Directory.Delete(DataRoot, recursive: true); } catch (IOException) { }
    }

    /// <summary>
    /// Deactivates <paramref name="grain"/> and returns once no activation of it is left, so the next call activates it
    /// anew. A late call (a waiter's best-effort unwatch, say) may wake it again in between: it is asked again.
    /// </summary>
    public async Task DeactivateAsync(IAddressable grain)
    {
        var management = Client.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
            var askedAt = DateTime.UtcNow;
            while (DateTime.UtcNow - askedAt < TimeSpan.FromSeconds(1))
            {
                if (await management.GetActivationAddress(grain) is null) return;
                await Task.Delay(20);
            }
            Assert.True(DateTime.UtcNow < deadline, $"{grain} is still active 10 s after DeactivateOnIdle");
        }
    }

    /// <summary>Waits until <paramref name="until"/> holds; by default until the run settles (completed, paused, failed or stopped).</summary>
    public Task<RunStatus> WaitAsync(string runId, Func<RunStatus, bool>? until = null, int timeoutSeconds = 120) =>
        new RunWaiter(Client).UntilAsync(runId, until ?? (s => s.State.IsSettled()), timeout: TimeSpan.FromSeconds(timeoutSeconds));
}

[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineCluster>
{
    public const string Name = "pipeline";
}
