using Eppo.Tests;
using Eppo.Contracts;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Orleans.TestingHost;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>A silo started with model slots 0 hosts no model-bearing grain; the other silo takes them all.</summary>
public sealed class ModelPlacementTests : IAsyncLifetime
{
    TestSilos silos = null!;
    string? firstSilo;  // the first silo configured

    public async Task InitializeAsync() => silos = await TestSilos.StartAsync(2, "placement", (silo, o) =>
    {
        firstSilo ??= silo;
        o.ModelSlots = silo == firstSilo ? 4 : 0;
    });

    public async Task DisposeAsync() => await silos.DisposeAsync();

    [Fact]
    public async Task GeneratorsScorersAndLearnerGoOnlyToTheSiloWithModelSlots()
    {
        var spec = RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with { Generators = 4, Scorers = 2, Iterations = 2, CheckpointInterval = 2 };
        var primary = silos.Cluster.Silos.Single(s => s.Name == firstSilo).SiloAddress;
        var other = silos.Cluster.Silos.Single(s => s.Name != firstSilo).SiloAddress;
        // Several runs: their run grains land on both silos, so calls into placement come from either side.
        var ids = Enumerable.Range(0, 4).Select(i => $"placement-{i}-{Guid.NewGuid():N}"[..20]).ToArray();
        foreach (var id in ids) await silos.Cluster.Client.GetGrain<IRunGrain>(id).StartAsync(spec.ToJson());

        var management = silos.Cluster.Client.GetGrain<IManagementGrain>(0);
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

    Task<RunStatus> WaitForEndAsync(string runId) => new RunWaiter(silos.Cluster.Client).UntilEndedAsync(runId, timeout: TimeSpan.FromSeconds(180));
}
