using Eppo.Tests;
using Eppo.Contracts;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Orleans.TestingHost;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>A silo started with model slots 0 hosts no model-bearing grain; the other silo takes them all.</summary>
public sealed class ModelPlacementTests : IAsyncLifetime
{
    readonly string dataRoot = Directory.CreateTempSubdirectory("eppo-placement-").FullName;
    InProcessTestCluster cluster = null!;
    string? modelHostName;  // the first silo configured

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddMemoryGrainStorage(EppoStorage.Name);
            silo.UseInMemoryReminderService();
            modelHostName ??= options.SiloName;
            var modelHost = options.SiloName == modelHostName;
            silo.AddEppoGrains(o =>
            {
                o.DataRoot = dataRoot;
                o.ModelSlots = modelHost ? 4 : 0;
            });
        });
        builder.ConfigureClient(client => client.Services.AddEppoSerialization());
        cluster = builder.Build();
        await cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
        try { Directory.Delete(dataRoot, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task GeneratorsScorersAndLearnerGoOnlyToTheSiloWithModelSlots()
    {
        var spec = RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with { Generators = 4, Scorers = 2, Iterations = 2, CheckpointInterval = 2 };
        var primary = cluster.Silos.Single(s => s.Name == modelHostName).SiloAddress;
        var other = cluster.Silos.Single(s => s.Name != modelHostName).SiloAddress;
        // Several runs: their run grains land on both silos, so calls into placement come from either side.
        var ids = Enumerable.Range(0, 4).Select(i => $"placement-{i}-{Guid.NewGuid():N}"[..20]).ToArray();
        foreach (var id in ids) await cluster.Client.GetGrain<IRunGrain>(id).StartAsync(spec.ToJson());

        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        foreach (var id in ids)
        {
            var status = await WaitForEndAsync(id);
            Assert.True(status.State == RunState.Completed, status.Reason);
            Assert.Equal(4, status.GeneratorHosts.Count);
            Assert.All(status.GeneratorHosts, host => Assert.Equal(primary.ToString(), host));
        }
        var onOther = (await management.GetDetailedGrainStatistics(hostsIds: [other]))
            .Where(a => a.GrainType.Contains("Generator") || a.GrainType.Contains("Scorer") || a.GrainType.Contains("Learner")
                        || a.GrainType.Contains("EnergyReference") || a.GrainType.Contains("ModelTrainer"))
            .Select(a => a.GrainType).ToList();
        Assert.Empty(onOther);
    }

    Task<RunStatus> WaitForEndAsync(string runId) => new RunWaiter(cluster.Client).UntilEndedAsync(runId, timeout: TimeSpan.FromSeconds(180));
}
