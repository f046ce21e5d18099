using Eppo.Contracts.Messages;
using Eppo.Contracts;
using Eppo.Core.Iteration;
using Eppo.Core;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Runs;

/// <summary>
/// The iteration's stages as grain calls (<see cref="IterationDriver"/> sequences them): prompt shards, generator
/// chunks, one scorer per (reward member, chunk), the run's energy reference and learner. Idempotent calls are retried
/// (Polly); the learner's are not (it refuses an iteration out of step). With <c>learners</c> above one the learner is
/// <paramref name="learners"/>, the data-parallel replicas. <paramref name="commit"/> is the run grain's.
/// </summary>
public sealed class GrainStages(IGrainFactory grains, EppoResilience resilience, RunContext run, RunSpec spec, LearnerReplicas learners, Func<Task> commit) : IIterationStages
{
    /// <summary>The silo of each generator in the last rollout (for status and re-placement).</summary>
    public string[] GeneratorHosts { get; private set; } = [];

    ILearnerGrain Learner => grains.GetGrain<ILearnerGrain>(run.RunId);

    public async Task<PromptBatch> PromptsAsync(int iteration)
    {
        var batches = await Task.WhenAll(IterationPlan.Shards(spec).Select(s => resilience.CallAsync(() =>
            grains.GetGrain<IPromptShardGrain>(StageKeys.Shard(run.RunId, s.Shard)).GetBatchAsync(run, s.Shard, iteration))));
        return PromptBatch.Concat(batches);
    }

    public async Task<Rollout> GenerateAsync(int iteration, PromptBatch prompts, int policyVersion)
    {
        var chunks = IterationPlan.Chunks(prompts.Tokens.Length, spec.Generators).ToArray();
        var rollouts = await Task.WhenAll(chunks.Select((range, c) => resilience.CallAsync(() =>
            grains.GetGrain<IRolloutGeneratorGrain>(StageKeys.Generator(run.RunId, c)).GenerateAsync(new GenerateRequest
            {
                Run = run,
                Prompts = prompts[range],
                PolicyVersion = policyVersion,
                Seed = Seeds.Rollout(spec.Seed, iteration, c),
            }))));
        GeneratorHosts = rollouts.Select(r => r.Host).ToArray();
        return Rollout.Concat(rollouts);
    }

    public Task HoldPolicyAsync(int policyVersion) =>
        Task.WhenAll(Generators.Select(g => resilience.CallAsync(() => g.HoldPolicyAsync(run, policyVersion))));

    public async Task<float[][]> ScoreAsync(int[][] prompts, int[][] responses)
    {
        var chunks = IterationPlan.Chunks(prompts.Length, spec.Scorers).ToArray();
        return await Task.WhenAll(run.RewardPaths.Select(async (_, member) =>
        {
            var parts = await Task.WhenAll(chunks.Select((range, c) => resilience.CallAsync(() =>
                grains.GetGrain<IRewardScorerGrain>(StageKeys.Scorer(run.RunId, member, c)).ScoreAsync(run, member, prompts[range], responses[range]))));
            return parts.SelectMany(p => p).ToArray();
        }));
    }

    public Task<ReferenceEnergies> ReferenceEnergyAsync(string[] promptIds, int[][] prompts) =>
        resilience.CallAsync(() => grains.GetGrain<IEnergyReferenceGrain>(run.RunId).GetAsync(run, promptIds, prompts));

    public Task StoreReferenceScoresAsync(string[] promptIds, float[] scores) =>
        resilience.CallAsync(() => grains.GetGrain<IEnergyReferenceGrain>(run.RunId).PutReferenceScoresAsync(promptIds, scores));

    public Task<IterationMetrics> LearnAsync(LearnerBatch batch) => spec.LearnerReplicas > 1 ? learners.LearnAsync(batch) : Learner.LearnAsync(batch);

    public Task CommitAsync() => commit();

    /// <summary>The generators and scorers of the run, for moving them between silos.</summary>
    public IEnumerable<IRolloutGeneratorGrain> Generators => Enumerable.Range(0, spec.Generators)
        .Select(c => grains.GetGrain<IRolloutGeneratorGrain>(StageKeys.Generator(run.RunId, c)));

    public IEnumerable<IRewardScorerGrain> Scorers => Enumerable.Range(0, run.RewardPaths.Count)
        .SelectMany(m => Enumerable.Range(0, spec.Scorers).Select(c => grains.GetGrain<IRewardScorerGrain>(StageKeys.Scorer(run.RunId, m, c))));

    /// <summary>
    /// An ended run's model-bearing grains let go of their models now rather than after Orleans' idle collection age
    /// (minutes of a learner's weights and optimizer state per run). Best effort: a grain that misses it is collected later.
    /// </summary>
    public Task RetireAllAsync() => Task.WhenAll(Generators.Select(g => g.RetireAsync())
        .Concat(Scorers.Select(s => s.RetireAsync()))
        .Concat(learners.All.Select(l => l.RetireAsync()))
        .Append(grains.GetGrain<IEnergyReferenceGrain>(run.RunId).RetireAsync()));
}
