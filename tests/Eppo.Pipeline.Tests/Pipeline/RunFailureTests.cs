using Eppo.Tests;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;

namespace Eppo.Pipeline.Tests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class RunFailureTests(PipelineCluster fixture)
{
    [Fact]
    public async Task ADivergingRunFailsNamingStageAndIterationAndTheClusterStaysHealthy()
    {
        // An absurd learning rate blows the policy up after its first update: NaN logits or rewards follow.
        var spec = RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with { ActorLr = 1e12, CriticLr = 1e12, Iterations = 4, CheckpointInterval = 1 };
        var runId = "diverge-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Client.GetGrain<IRunGrain>(runId).StartAsync(spec.ToJson());
        var failed = await fixture.WaitAsync(runId);
        Assert.Equal(RunState.Failed, failed.State);
        Assert.Matches(@"^stage '[a-z +]+', iteration \d+: ", failed.Reason);
        Assert.Equal(failed.History.Count, failed.Iteration);   // rolled back to the last good checkpoint
        if (failed.Iteration > 0) Assert.True(Directory.Exists(failed.LastCheckpoint), failed.LastCheckpoint);

        var healthy = RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with { Iterations = 2 };
        var okId = "after-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Client.GetGrain<IRunGrain>(okId).StartAsync(healthy.ToJson());
        var ok = await fixture.WaitAsync(okId);
        Assert.True(ok.State == RunState.Completed, ok.Reason);
    }
}
