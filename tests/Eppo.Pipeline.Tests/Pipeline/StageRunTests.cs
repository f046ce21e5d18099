using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Runs;
using Eppo.Tests;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>A stage grain reads its run (spec, inputs, task) on its first call and keeps it for the activation.</summary>
[Collection(PipelineCollection.Name)]
public sealed class StageRunTests(PipelineCluster fixture)
{
    static RunSpec Tiny => RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json"));

    [Fact]
    public async Task A_stage_reads_its_run_once_per_activation()
    {
        var runId = "once-" + Guid.NewGuid().ToString("N")[..8];
        var run = new RunContext { RunId = runId, SpecJson = Tiny.ToJson(), SftPath = "", RewardPaths = [RewardSpec.Gold] };
        // A spec that cannot be read: a call that read its context again would fail on it.
        var unreadable = run with { SpecJson = "{ not a spec" };
        var shard = fixture.Client.GetGrain<IPromptShardGrain>(StageKeys.Shard(runId, 0));
        var scorer = fixture.Client.GetGrain<IRewardScorerGrain>(StageKeys.Scorer(runId, 0, 0));

        var first = await shard.GetBatchAsync(run, 0, 0);
        var scores = await scorer.ScoreAsync(run, 0, first.Tokens, first.Tokens);
        for (var iteration = 0; iteration < 3; iteration++)
        {
            var batch = await shard.GetBatchAsync(unreadable, 0, iteration);
            Assert.Equal((await shard.GetBatchAsync(run, 0, iteration)).Ids, batch.Ids);
            Assert.Equal(scores, await scorer.ScoreAsync(unreadable, 0, first.Tokens, first.Tokens));
        }

        // A new activation reads the run it is given.
        await fixture.Cluster.DeactivateAsync(shard);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => shard.GetBatchAsync(unreadable, 0, 0));
        Assert.Contains($"run '{runId}'", error.Message);
        Assert.Equal(first.Ids, (await shard.GetBatchAsync(run, 0, 0)).Ids);
    }
}
