using Eppo.Tests;
using Eppo.Core;
using Eppo.Core.Ppo;
using Eppo.Contracts;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;
using Eppo.Grains.Interfaces;

namespace Eppo.Pipeline.Tests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class RunLifecycleTests(PipelineCluster fixture)
{
    static RunSpec Tiny(int seed = 7, string method = "eppo") => RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with { Seed = seed, Method = method };

    async Task<RunStatus> RunToEndAsync(RunSpec spec, string runId)
    {
        await fixture.Client.GetGrain<IRunGrain>(runId).StartAsync(spec.ToJson());
        return await fixture.WaitAsync(runId);
    }

    [Fact]
    public async Task SmallRunCompletesWithTheSameMetricsAsTheInProcessDriver()
    {
        var spec = Tiny();
        var status = await RunToEndAsync(spec, "complete-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.True(status.State == RunState.Completed, status.Reason);
        Assert.Equal(spec.Iterations, status.Iteration);
        Assert.Equal(spec.Iterations, status.History.Count);
        Assert.True(Directory.Exists(status.LastCheckpoint), status.LastCheckpoint);

        using var local = new LocalPipeline(spec, ModelPreparation.Prepare(spec, fixture.DataRoot));
        for (var i = 0; i < spec.Iterations; i++)
            AssertSameLearning(local.RunIteration(i), status.History[i]);
    }

    [Fact]
    public async Task PausedRunResumesAndEndsExactlyAsAnUninterruptedOne()
    {
        var spec = Tiny(seed: 11) with { Iterations = 6 };
        var straight = await RunToEndAsync(spec, "straight-" + Guid.NewGuid().ToString("N")[..8]);

        var runId = "paused-" + Guid.NewGuid().ToString("N")[..8];
        var run = fixture.Client.GetGrain<IRunGrain>(runId);
        await run.StartAsync(spec.ToJson());
        await fixture.WaitAsync(runId, s => s.Iteration >= 2);
        var pausing = await run.PauseAsync();
        Assert.Contains(pausing.State, new[] { RunState.Pausing, RunState.Paused });
        var paused = await fixture.WaitAsync(runId);
        Assert.Equal(RunState.Paused, paused.State);
        Assert.True(paused.Iteration < spec.Iterations, "the pause should land before the end");
        Assert.NotNull(paused.LastCheckpoint);

        // Paused means paused: nothing moves while nobody resumes it.
        await Assert.ThrowsAsync<TimeoutException>(() => new RunWaiter(fixture.Client).UntilAsync(runId,
            s => s.Iteration != paused.Iteration || s.State != RunState.Paused, timeout: TimeSpan.FromMilliseconds(500)));

        await run.ResumeAsync();
        var resumed = await fixture.WaitAsync(runId, s => s.State is RunState.Completed or RunState.Failed);
        Assert.True(resumed.State == RunState.Completed, resumed.Reason);
        for (var i = 0; i < spec.Iterations; i++)
            AssertSameLearning(straight.History[i], resumed.History[i]);
    }

    [Fact]
    public async Task StoppingAPausedRunRetiresItsStageGrains()
    {
        var spec = Tiny(seed: 23) with { Iterations = 20 };
        var runId = "stop-paused-" + Guid.NewGuid().ToString("N")[..8];
        var run = fixture.Client.GetGrain<IRunGrain>(runId);
        await run.StartAsync(spec.ToJson());
        await fixture.WaitAsync(runId, s => s.Iteration >= 1);
        await run.PauseAsync();
        Assert.Equal(RunState.Paused, (await fixture.WaitAsync(runId)).State);
        Assert.NotEmpty(await StageActivationsAsync(runId)); // a paused run keeps its models for the resume

        Assert.Equal(RunState.Stopped, (await run.StopAsync()).State);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var left = await StageActivationsAsync(runId);
        while (left.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            left = await StageActivationsAsync(runId);
        }
        Assert.Empty(left);
    }

    /// <summary>The run's live generator, scorer, learner and energy-reference activations, as the silo reports them.</summary>
    async Task<List<string>> StageActivationsAsync(string runId)
    {
        var stageTypes = new[] { "RolloutGenerator", "RewardScorer", "Learner", "EnergyReference" };
        var activations = await fixture.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return activations
            .Where(a => stageTypes.Any(a.GrainType.Contains))
            .Select(a => a.GrainId.Key.ToString()!)
            .Where(key => key == runId || key.StartsWith(runId + "/", StringComparison.Ordinal))
            .ToList();
    }

    [Fact]
    public async Task TheLearnerShapesRewardsFromScorerAndEnergyMessages()
    {
        var spec = Tiny(seed: 13) with { Iterations = 2, Eta = 2.0 };
        var runId = "shaping-" + Guid.NewGuid().ToString("N")[..8];
        var status = await RunToEndAsync(spec, runId);
        Assert.True(status.State == RunState.Completed, status.Reason);
        var calls = fixture.Recorder.Calls[runId].ToArray();
        Assert.Equal(2, calls.Length);
        foreach (var (experience, metrics) in calls)
        {
            // r̂ = clip(r − η·|ΔE_SFT − ΔE_RL|, ±5), computed here by hand from the recorded messages.
            var expected = experience.Scores.Select((r, i) =>
                Math.Clamp(r - spec.Eta * Math.Abs(experience.EnergySft[i] - experience.EnergyRl[i]), -5.0, 5.0)).Average();
            Assert.Equal(expected, metrics.ShapedReward, 5);
            Assert.Equal(experience.Scores.Average(), metrics.ProxyReward, 5);
            Assert.True(metrics.EnergyPenalty > 0, "rollouts are sampled, the reference is greedy: some penalty");
        }
    }

    [Fact]
    public async Task EnergyReferenceCacheHitsEveryPromptOnTheSecondPass()
    {
        // 16 prompts, batch 16: iteration 1 sees exactly the prompts of iteration 0.
        var spec = Tiny(seed: 17) with { Prompts = 16, Iterations = 2 };
        var runId = "cache-" + Guid.NewGuid().ToString("N")[..8];
        var status = await RunToEndAsync(spec, runId);
        Assert.True(status.State == RunState.Completed, status.Reason);
        Assert.Equal(0.0, status.History[0].EnergyCacheHitRatio);
        Assert.Equal(1.0, status.History[1].EnergyCacheHitRatio);
        var stats = await fixture.Client.GetGrain<IEnergyReferenceGrain>(runId).GetStatsAsync();
        Assert.Equal(16, stats.Entries);
        Assert.Equal(16, stats.Hits);
        Assert.Equal(16, stats.Misses);
    }

    [Fact]
    public async Task ParScoresEachSftAnswerOnceAndLearnsAsInProcess()
    {
        // 16 prompts, batch 16: iteration 1 sees exactly the prompts of iteration 0, whose SFT answers are scored already.
        var spec = Tiny(seed: 29, method: "par") with { Prompts = 16, Iterations = 2 };
        var runId = "par-" + Guid.NewGuid().ToString("N")[..8];
        var status = await RunToEndAsync(spec, runId);
        Assert.True(status.State == RunState.Completed, status.Reason);
        // One reward model: 16 rollouts and 16 SFT answers at iteration 0, 16 rollouts at iteration 1 (64 when every
        // iteration scored the SFT answers again).
        Assert.Equal(48, fixture.Scores.Rows[runId]);
        var calls = fixture.Recorder.Calls[runId].Select(c => c.Batch).ToArray();
        static (string, float)[] Scored(Contracts.Messages.LearnerBatch b) =>
            b.Prompts.Select((p, i) => (string.Join(",", p), b.ReferenceScores![i])).Order().ToArray();
        Assert.Equal(Scored(calls[0]), Scored(calls[1]));   // the same r_ref per prompt, from the cache the second time

        using var local = new LocalPipeline(spec, ModelPreparation.Prepare(spec, fixture.DataRoot));
        for (var i = 0; i < spec.Iterations; i++) AssertSameLearning(local.RunIteration(i), status.History[i]);
    }

    [Fact]
    public async Task AnOfficialEnergyRunReadsTheSftModuleEnergiesFromTheCacheAndLearnsAsInProcess()
    {
        var spec = Tiny(seed: 31) with { Iterations = 3, EnergyDefinition = "official" };
        var runId = "official-" + Guid.NewGuid().ToString("N")[..8];
        var status = await RunToEndAsync(spec, runId);
        Assert.True(status.State == RunState.Completed, status.Reason);
        foreach (var (batch, _) in fixture.Recorder.Calls[runId])
        {
            Assert.Equal(3, batch.ReferenceModuleEnergies!.Length);   // gate, up, down: M × B
            Assert.All(batch.ReferenceModuleEnergies, m => Assert.Equal(batch.Rows, m.Length));
        }

        using var local = new LocalPipeline(spec, ModelPreparation.Prepare(spec, fixture.DataRoot));
        for (var i = 0; i < spec.Iterations; i++)
        {
            var expected = local.RunIteration(i);
            AssertSameLearning(expected, status.History[i]);
            Assert.Equal(expected.EnergyPenalty, status.History[i].EnergyPenalty);
        }
    }

    [Fact]
    public async Task ABadSpecIsRefusedNamingTheFieldAndNothingIsCreated()
    {
        var runId = "bad-" + Guid.NewGuid().ToString("N")[..8];
        var json = Tiny().ToJson().Replace("\"method\": \"eppo\"", "\"method\": \"reinforce\"");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Client.GetGrain<IRunGrain>(runId).StartAsync(json));
        Assert.Contains("method", error.Message);
        Assert.Contains("reinforce", error.Message);
        Assert.Null(await fixture.Client.GetGrain<IRunGrain>(runId).GetStatusAsync());

        var negative = Tiny().ToJson().Replace("\"eta\": 2", "\"eta\": -1");
        error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Client.GetGrain<IRunGrain>(runId).StartAsync(negative));
        Assert.Contains("eta", error.Message);
    }

    [Fact]
    public async Task TwoRunsAtOnceDoNotDisturbEachOther()
    {
        var a = Tiny(seed: 21, method: "ppo");
        var b = Tiny(seed: 22, method: "eppo-kl");
        var alone = await RunToEndAsync(a, "alone-" + Guid.NewGuid().ToString("N")[..8]);
        var (idA, idB) = ("both-a-" + Guid.NewGuid().ToString("N")[..8], "both-b-" + Guid.NewGuid().ToString("N")[..8]);
        await Task.WhenAll(fixture.Client.GetGrain<IRunGrain>(idA).StartAsync(a.ToJson()), fixture.Client.GetGrain<IRunGrain>(idB).StartAsync(b.ToJson()));
        var (together, other) = (await fixture.WaitAsync(idA), await fixture.WaitAsync(idB));
        Assert.True(together.State == RunState.Completed, together.Reason);
        Assert.True(other.State == RunState.Completed, other.Reason);
        for (var i = 0; i < a.Iterations; i++) AssertSameLearning(alone.History[i], together.History[i]);
        var runs = await fixture.Client.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key).ListAsync();
        Assert.Contains(idA, runs);
        Assert.Contains(idB, runs);
    }

    [Fact]
    public async Task AnEnsembleOfTwoRewardModelsIsScoredMemberByMemberAndAveraged()
    {
        var spec = Tiny(seed: 19) with { Iterations = 2, Reward = Tiny().Reward with { Members = 2, Combine = "mean" } };
        var runId = "ensemble-" + Guid.NewGuid().ToString("N")[..8];
        var status = await RunToEndAsync(spec, runId);
        Assert.True(status.State == RunState.Completed, status.Reason);
        Assert.Equal(2, status.RewardPaths.Distinct().Count());

        // The score the learner got is the mean of the two members' own scores of the same responses.
        var task = Core.Tasks.TrainingTasks.For(spec);
        var members = status.RewardPaths.Select(path => RewardSources.Member(path, task)).ToArray();
        foreach (var (experience, _) in fixture.Recorder.Calls[runId])
        {
            var own = members.Select(m => m.Score(experience.Prompts, experience.Responses)).ToArray();
            Assert.NotEqual(own[0], own[1]); // two models, not one twice
            for (var i = 0; i < experience.Scores.Length; i++) Assert.Equal((own[0][i] + own[1][i]) / 2, experience.Scores[i], 5);
        }
        using var local = new LocalPipeline(spec, ModelPreparation.Prepare(spec, fixture.DataRoot));
        for (var i = 0; i < spec.Iterations; i++) AssertSameLearning(local.RunIteration(i), status.History[i]);
    }

    [Fact]
    public async Task AnOverlappedRunLearnsOnRolloutsOneVersionOldBetweenCheckpointsAndAsInProcess()
    {
        // Checkpoints after iterations 3 and 5: iterations 1, 2 and 4 are sampled while the one before them learns.
        var spec = Tiny(seed: 37) with { Iterations = 5, CheckpointInterval = 3, Overlap = true, ActorLr = 1e-3 };
        var runId = "overlap-" + Guid.NewGuid().ToString("N")[..8];
        var status = await RunToEndAsync(spec, runId);
        Assert.True(status.State == RunState.Completed, status.Reason);
        var calls = fixture.Recorder.Calls[runId].ToArray();
        Assert.Equal(5, calls.Length);
        foreach (var (batch, _) in calls)
            Assert.Equal(batch.Responses.Select(r => r.Length), batch.BehaviourLogProbs!.Select(l => l.Length));
        // The sequence KL reads the sampling policy's log-probs: iterations 0 and 1 were both sampled by version 0, the
        // SFT policy itself, so their KL to it is 0 up to the generator's arithmetic; iteration 2 was sampled by version 1.
        Assert.True(Math.Abs(status.History[0].Kl) < 1e-3, $"iteration 0: KL {status.History[0].Kl}");
        Assert.True(Math.Abs(status.History[1].Kl) < 1e-3, $"iteration 1: KL {status.History[1].Kl}");
        Assert.True(Math.Abs(status.History[2].Kl) > 1e-3, $"iteration 2: KL {status.History[2].Kl}");

        using var local = new LocalPipeline(spec, ModelPreparation.Prepare(spec, fixture.DataRoot));
        for (var i = 0; i < spec.Iterations; i++) AssertSameLearning(local.RunIteration(i), status.History[i]);
    }

    static void AssertSameLearning(IterationMetrics expected, IterationMetrics actual)
    {
        Assert.Equal(expected.Iteration, actual.Iteration);
        Assert.Equal(expected.PolicyVersion, actual.PolicyVersion);
        Assert.Equal(expected.ProxyReward, actual.ProxyReward);
        Assert.Equal(expected.ShapedReward, actual.ShapedReward);
        Assert.Equal(expected.GoldReward, actual.GoldReward);
        Assert.Equal(expected.EnergyRl, actual.EnergyRl);
        Assert.Equal(expected.EnergySft, actual.EnergySft);
        Assert.Equal(expected.Kl, actual.Kl);
        Assert.Equal(expected.PolicyLoss, actual.PolicyLoss);
        Assert.Equal(expected.ValueLoss, actual.ValueLoss);
        Assert.Equal(expected.ResponseLength, actual.ResponseLength);
    }
}
