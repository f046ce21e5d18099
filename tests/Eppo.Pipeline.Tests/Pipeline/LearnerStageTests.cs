using Eppo.Contracts;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Eppo.Tests;
using Orleans.TestingHost;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>
/// <c>--stages</c>: a silo given only the learner stage takes the learner and nothing else model-bearing; the other
/// silo takes generators, scorers, the energy reference and model training. Unknown stages are refused in one line.
/// </summary>
public sealed class LearnerStageTests : IAsyncLifetime
{
    TestSilos silos = null!;
    string? firstSilo;  // the first silo configured

    public async Task InitializeAsync() => silos = await TestSilos.StartAsync(2, "stages", (silo, o) =>
    {
        firstSilo ??= silo;
        o.Stages = ModelStages.Parse(silo == firstSilo ? "learner" : "generator, scorer,reference,trainer");
    });

    public async Task DisposeAsync() => await silos.DisposeAsync();

    [Fact]
    public async Task TheLearnerGoesToTheLearnerSiloAndTheRestElsewhere()
    {
        var spec = RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with { Iterations = 2, CheckpointInterval = 2, Learners = 2 };
        var id = $"stages-{Guid.NewGuid():N}"[..18];
        await silos.Cluster.Client.GetGrain<IRunGrain>(id).StartAsync(spec.ToJson());
        var status = await new RunWaiter(silos.Cluster.Client).UntilEndedAsync(id, timeout: TimeSpan.FromSeconds(180));
        Assert.True(status.State == RunState.Completed, status.Reason);
        // One silo has the learner stage: one replica runs, and status says why.
        Assert.Contains("1 of 2 learner replicas run", status.LearnerShortfall);

        var learner = silos.Cluster.Silos.Single(s => s.Name == firstSilo).SiloAddress;
        var activations = await silos.Cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var modelBearing = activations.Where(a => new[] { "Generator", "Scorer", "Learner", "EnergyReference", "ModelTrainer" }.Any(a.GrainType.Contains)).ToList();
        // The learner is retired with the run (it may not have gone yet); status says where it was.
        Assert.Equal([learner.ToString()], status.LearnerHosts);
        Assert.NotEmpty(modelBearing);
        Assert.All(modelBearing, a => Assert.True(a.GrainType.Contains("LearnerGrain") == a.SiloAddress.Equals(learner), $"{a.GrainType} on {a.SiloAddress}"));
        Assert.All(status.GeneratorHosts, host => Assert.NotEqual(learner.ToString(), host));
    }

    [Theory]
    [InlineData("learner,rollouts", "unknown stage 'rollouts'")]
    [InlineData(" , ", "empty")]
    public void UnknownOrEmptyStagesAreRefusedInOneLine(string stages, string expected)
    {
        var error = Assert.Throws<EppoException>(() => ModelStages.Parse(stages));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("--stages", error.Message);
    }
}
