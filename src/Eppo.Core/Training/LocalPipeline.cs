using System.Diagnostics;
using Eppo.Core.Runs;

namespace Eppo.Core.Training;

/// <summary>
/// The pipeline's stages called in-process, without Orleans: the baseline for measuring Orleans' overhead, and the
/// reference the grain pipeline must match metric for metric under the same seed.
/// </summary>
public sealed class LocalPipeline
{
    readonly RunSpec spec;
    readonly TaskCodec codec;
    readonly PromptSet prompts;
    readonly RolloutWorker[] generators;
    readonly IRewardFunction reward;
    readonly GoldScorer? gold;
    readonly EnergyReferenceCache energy;

    public PpoLearner Learner { get; }

    public LocalPipeline(RunSpec spec, ModelPreparation.Result models)
    {
        this.spec = spec;
        codec = TaskCodec.HackBench();
        prompts = PromptSet.ForRun(spec, codec);
        var sft = ModelPreparation.LoadSft(models.SftPath, spec);
        Learner = new PpoLearner(spec, codec, sft);
        generators = Enumerable.Range(0, spec.Generators)
            .Select(_ => new RolloutWorker(ModelPreparation.LoadSft(models.SftPath, spec), codec, spec)).ToArray();
        reward = ModelPreparation.RewardFunction(models.RewardPath, codec);
        gold = spec.Task == "hackbench" ? new GoldScorer(codec) : null;
        energy = new EnergyReferenceCache(new SftEnergyReference(sft, codec, spec.MaxNewTokens));
    }

    public IterationMetrics RunIteration(int iteration)
    {
        var total = Stopwatch.StartNew();
        var indices = IterationPlan.PromptIndices(spec, prompts.Count, iteration);
        var ids = indices.Select(i => prompts.Ids[i]).ToArray();
        var tokens = indices.Select(i => prompts.Tokens[i]).ToArray();

        var clock = Stopwatch.StartNew();
        var weights = Learner.PolicyVersion > 0 ? Learner.PolicyWeights() : null;
        var responses = new int[tokens.Length][];
        var energyRl = new float[tokens.Length];
        var chunk = 0;
        foreach (var range in IterationPlan.Chunks(tokens.Length, spec.Generators))
        {
            var worker = generators[chunk];
            if (weights is not null && worker.Version != Learner.PolicyVersion) worker.LoadWeights(weights, Learner.PolicyVersion);
            var result = worker.Generate(tokens[range], Seeds.Rollout(spec.Seed, iteration, chunk));
            result.Responses.CopyTo(responses, range.Start.Value);
            result.MeanEnergy.CopyTo(energyRl, range.Start.Value);
            chunk++;
        }
        var generateSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var scores = new float[tokens.Length];
        foreach (var range in IterationPlan.Chunks(tokens.Length, spec.Scorers))
            reward.Score(tokens[range], responses[range]).CopyTo(scores, range.Start.Value);
        var scoreSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var reference = energy.Get(ids, tokens);
        var energySeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var metrics = Learner.Learn(new LearnerBatch(iteration, tokens, responses, scores, energyRl, reference.Energy));
        var learnSeconds = clock.Elapsed.TotalSeconds;

        return IterationReport.Complete(metrics, gold?.Score(tokens, responses), reference.Hits, tokens.Length,
            responses.Sum(r => r.Length), generateSeconds, scoreSeconds, energySeconds, learnSeconds, total.Elapsed.TotalSeconds,
            energyRl, reference.Energy);
    }
}
