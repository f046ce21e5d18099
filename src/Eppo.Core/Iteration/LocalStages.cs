using Eppo.Contracts.Messages;
using Eppo.Core.Learning;
using Eppo.Contracts;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.Preparation;

namespace Eppo.Core.Iteration;

/// <summary>
/// The stages as direct calls in one process, cut up as the grains cut them (<see cref="IterationPlan"/>): generator
/// chunks with their own seeds, scorer chunks per member. Every call completes synchronously.
/// </summary>
public sealed class LocalStages : IIterationStages, IDisposable
{
    readonly RunSpec spec;
    readonly PromptSet prompts;
    readonly RolloutWorker[] generators;
    readonly IRewardFunction[] members;
    readonly SftEnergyReference reference;
    readonly EnergyReferenceCache energy = new();

    public PpoLearner Learner { get; }

    public LocalStages(RunSpec spec, ITrainingTask task, PreparedModels models)
    {
        this.spec = spec;
        prompts = task.TrainPrompts(spec);
        Learner = new PpoLearner(spec, task.Codec, FrozenModels.Acquire(models.SftPath, WeightDtypes.Of(spec)), models.SftPath);
        generators = Enumerable.Range(0, spec.Generators).Select(_ => RolloutWorker.For(models.SftPath, task.Codec, spec)).ToArray();
        members = models.RewardPaths.Select(path => RewardSources.Member(path, task)).ToArray();
        reference = SftEnergyReference.For(models.SftPath, task.Codec, spec);
    }

    public Task<PromptBatch> PromptsAsync(int iteration) => Task.FromResult(prompts.Batch(IterationPlan.PromptIndices(spec, prompts.Count, iteration)));

    public Task<Rollout> GenerateAsync(int iteration, PromptBatch batch, int policyVersion)
    {
        var weights = policyVersion > 0 ? Learner.PolicyChunks() : null;
        var responses = new int[batch.Tokens.Length][];
        var energyRl = new float[batch.Tokens.Length];
        var logProbs = new float[batch.Tokens.Length][];
        var chunk = 0;
        foreach (var range in IterationPlan.Chunks(batch.Tokens.Length, spec.Generators))
        {
            var worker = generators[chunk];
            if (weights is not null && worker.Version != policyVersion) worker.LoadWeights(weights, policyVersion);
            var result = worker.Generate(batch.Tokens[range], Seeds.Rollout(spec.Seed, iteration, chunk));
            result.Responses.CopyTo(responses, range.Start.Value);
            result.MeanEnergy.CopyTo(energyRl, range.Start.Value);
            result.LogProbs.CopyTo(logProbs, range.Start.Value);
            chunk++;
        }
        return Task.FromResult(new Rollout(responses, energyRl, LogProbs: spec.Overlapped ? logProbs : null, PolicyVersion: policyVersion));
    }

    /// <summary>Nothing to do: every call here completes before the next, so the next generation reads the learner's current version.</summary>
    public Task HoldPolicyAsync(int policyVersion) => Task.CompletedTask;

    public Task<float[][]> ScoreAsync(int[][] prompts, int[][] responses) =>
        Task.FromResult(members.Select(member =>
        {
            var scores = new float[prompts.Length];
            foreach (var range in IterationPlan.Chunks(prompts.Length, spec.Scorers))
                member.Score(prompts[range], responses[range]).CopyTo(scores, range.Start.Value);
            return scores;
        }).ToArray());

    public Task<ReferenceEnergies> ReferenceEnergyAsync(string[] promptIds, int[][] prompts) =>
        Task.FromResult(energy.Get(promptIds, prompts, reference).Reference);

    public Task StoreReferenceScoresAsync(string[] promptIds, float[] scores)
    {
        energy.SetReferenceScores(promptIds, scores);
        return Task.CompletedTask;
    }

    public Task<IterationMetrics> LearnAsync(LearnerBatch batch) => Task.FromResult(Learner.Learn(batch));

    /// <summary>Nothing to make durable: an in-process run lives as long as the process.</summary>
    public Task CommitAsync() => Task.CompletedTask;

    public void Dispose()
    {
        Learner.Dispose();
        foreach (var generator in generators) generator.Dispose();
        foreach (var member in members) (member as IDisposable)?.Dispose();
        reference.Dispose();
    }
}
