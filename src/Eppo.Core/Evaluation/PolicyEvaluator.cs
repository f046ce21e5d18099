using Eppo.Core.Tasks;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Preparation;

namespace Eppo.Core.Evaluation;

/// <summary>
/// Samples a policy on a fixed set of held-out prompts with fixed sampling noise (see <see cref="EvaluationOptions"/>)
/// and records, per sample, the task's gold verdict, the proxy score, the sequence KL to the SFT policy and the energy
/// loss at every probe site — of the policy and of the SFT model on the same response, of the SFT model on its own
/// greedy answer (ΔE_SFT(x)), and of the policy on that fixed SFT answer. For tasks with a gold judge (HackBench):
/// <see cref="For"/> takes the judge and the prompts from the task.
/// Evaluate the SFT policy itself with <see cref="EvaluateSft"/>: its sampled answers are the opponent of every
/// "win rate against SFT" (the greedy SFT answer nearly always scores gold 1, which would cap every win rate).
/// The SFT model and the proxy belong to the caller; the evaluator disposes only its own weight copies.
/// </summary>
public sealed class PolicyEvaluator : IDisposable
{
    readonly DecoderModel sft;
    readonly SiteModels sftSites;
    readonly IRewardFunction proxy;
    readonly IGoldJudge gold;
    readonly TaskCodec codec;
    readonly int[][] promptTokens;
    readonly int[][] referenceTokens;
    readonly SiteEnergies[] referenceEnergy;
    readonly int[][] referenceChunks;

    public PolicyEvaluator(DecoderModel sft, IRewardFunction proxy, TaskCodec codec, IGoldJudge gold, PromptSet prompts, EvaluationOptions? options = null)
    {
        if (prompts.Count == 0) throw new EppoException("evaluation: the prompt list is empty");
        var duplicate = prompts.Ids.GroupBy(id => id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new EppoException($"evaluation: prompt id '{duplicate.Key}' occurs {duplicate.Count()} times");
        Options = (options ?? EvaluationOptions.Default).Validate();
        Prompts = prompts;
        this.sft = sft;
        this.proxy = proxy;
        this.gold = gold;
        this.codec = codec;
        sftSites = new SiteModels(sft);
        promptTokens = prompts.Tokens.ToArray();
        PromptTexts = promptTokens.Select(codec.DecodePrompt).ToArray();
        referenceChunks = Enumerable.Range(0, Prompts.Count).GroupBy(i => promptTokens[i].Length).OrderBy(g => g.Key)
            .SelectMany(g => g.Chunk(Options.BatchSize)).ToArray();
        (referenceTokens, referenceEnergy) = GreedyReference();
        SftReferenceResponses = referenceTokens.Select(codec.DecodeResponse).ToArray();
    }

    /// <summary>The evaluator of a task with a gold judge: its first <paramref name="prompts"/> held-out prompts of <paramref name="seed"/>'s stream.</summary>
    public static PolicyEvaluator For(ITrainingTask task, DecoderModel sft, IRewardFunction proxy, int prompts, int seed, EvaluationOptions? options = null) =>
        new(sft, proxy, task.Codec,
            task.Gold ?? throw new EppoException($"evaluation: task '{task.Name}' has no gold judge; compare its policies with a judge (`eppo eval`, `eppo study`)"),
            task.HeldOutPrompts(prompts, seed), options);

    public EvaluationOptions Options { get; }
    public PromptSet Prompts { get; }

    /// <summary>Each prompt's text as the task's codec decodes it: what the gold judge reads.</summary>
    public IReadOnlyList<string> PromptTexts { get; }

    /// <summary>The SFT model's greedy answer to each prompt: the fixed SFT texts.</summary>
    public IReadOnlyList<string> SftReferenceResponses { get; }

    /// <summary>The SFT policy, sampled with the same noise as every other policy.</summary>
    public PolicyEvaluation EvaluateSft(string label = "sft") => Evaluate(sft, label);

    /// <summary>A policy saved with ModelStore (e.g. a learner checkpoint's actor directory), at its saved probe site.</summary>
    public PolicyEvaluation Evaluate(string policyDirectory, string label)
    {
        var (policy, _) = ModelStore.Load(policyDirectory);
        using (policy) return Evaluate(policy, label);
    }

    public PolicyEvaluation Evaluate(DecoderModel policy, string label)
    {
        if (policy.Config.VocabSize != sft.Config.VocabSize)
            throw new EppoException($"evaluation: policy '{label}' has vocabulary {policy.Config.VocabSize}, the SFT model {sft.Config.VocabSize}");
        var site = policy.Config.ProbeSite;
        using var noGrad = no_grad();
        using var policySites = new SiteModels(policy);
        var onSftText = EnergyOnSftText(policySites);
        var samples = new List<EvaluationSample>(Prompts.Count);
        var batchIndex = 0;
        for (var start = 0; start < Prompts.Count; start += Options.BatchSize, batchIndex++)
        {
            var rows = Enumerable.Range(start, Math.Min(Options.BatchSize, Prompts.Count - start)).ToArray();
            var prompts = rows.Select(i => promptTokens[i]).ToArray();
            var generated = new SequenceGenerator(policy).Generate(prompts, SamplingOptions(batchIndex));
            var responses = generated.Responses;
            var proxyScores = proxy.Score(prompts, responses);

            var own = Probe(policySites, prompts, responses);
            var sftOnResponse = Probe(sftSites, prompts, responses);
            for (var r = 0; r < rows.Length; r++)
            {
                var i = rows[r];
                var text = codec.DecodeResponse(responses[r]);
                var row = r;
                samples.Add(new EvaluationSample(
                    i, Prompts.Ids[i], PromptTexts[i],
                    text,
                    responses[r].Count(t => t != codec.EosId),
                    gold.Verdict(PromptTexts[i], text),
                    proxyScores[r],
                    own[site].LogProbSum[r] - sftOnResponse[site].LogProbSum[r],
                    SiteEnergies.From(s => own[s].MeanEnergy[row]),
                    SiteEnergies.From(s => sftOnResponse[s].MeanEnergy[row]),
                    referenceEnergy[i],
                    onSftText[i],
                    SftReferenceResponses[i]));
            }
        }
        return new PolicyEvaluation(label, site, Options.SamplingSeed, samples);
    }

    /// <summary>
    /// <paramref name="samples"/> sampled answers of <paramref name="policy"/> per prompt, each as (proxy score, gold
    /// score): the material of the best-of-n curve (<see cref="BestOfN"/>). Sample k of a batch draws its own noise
    /// stream, apart from <see cref="Evaluate(DecoderModel, string)"/>'s.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<(double Proxy, double Gold)>> SampleScores(DecoderModel policy, int samples)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples));
        using var noGrad = no_grad();
        var scores = Enumerable.Range(0, Prompts.Count).Select(_ => new List<(double, double)>(samples)).ToArray();
        var batchIndex = 0;
        for (var start = 0; start < Prompts.Count; start += Options.BatchSize, batchIndex++)
        {
            var rows = Enumerable.Range(start, Math.Min(Options.BatchSize, Prompts.Count - start)).ToArray();
            var prompts = rows.Select(i => promptTokens[i]).ToArray();
            for (var k = 0; k < samples; k++)
            {
                var options = SamplingOptions(batchIndex) with { Seed = Seeds.Combine(Options.SamplingSeed, BestOfNStream, batchIndex, k) };
                var responses = new SequenceGenerator(policy).Generate(prompts, options).Responses;
                var proxyScores = proxy.Score(prompts, responses);
                for (var r = 0; r < rows.Length; r++)
                    scores[rows[r]].Add((proxyScores[r], gold.Verdict(PromptTexts[rows[r]], codec.DecodeResponse(responses[r])).Score));
            }
        }
        return scores;
    }

    // Keeps the best-of-n samples' noise apart from the evaluation's (Seeds.Combine(seed, batch)).
    const long BestOfNStream = 0xB0F;

    public void Dispose() => sftSites.Dispose();

    GenerationOptions SamplingOptions(int batchIndex) =>
        GenerationOptions.Sampling(Options.MaxNewTokens, codec.EosId, Seeds.Combine(Options.SamplingSeed, batchIndex),
            Options.Temperature, Options.TopK, Options.TopP) with { PadId = codec.PadId };

    /// <summary>
    /// SFT greedy answers and their energies. Prompts of equal length decode together (no padding), as the training
    /// pipeline's reference cache does, so the answers do not depend on the batch they fell in.
    /// </summary>
    (int[][] Tokens, SiteEnergies[] Energy) GreedyReference()
    {
        using var noGrad = no_grad();
        var tokens = new int[Prompts.Count][];
        var energy = new SiteEnergies[Prompts.Count];
        var greedy = GenerationOptions.Greedy(Options.MaxNewTokens, codec.EosId) with { PadId = codec.PadId };
        foreach (var chunk in referenceChunks)
        {
            var prompts = chunk.Select(i => promptTokens[i]).ToArray();
            var responses = new SequenceGenerator(sft).Generate(prompts, greedy).Responses;
            for (var r = 0; r < chunk.Length; r++) tokens[chunk[r]] = responses[r];
        }
        EnergyOnSftText(sftSites, tokens).CopyTo(energy, 0);
        return (tokens, energy);
    }

    SiteEnergies[] EnergyOnSftText(SiteModels models) => EnergyOnSftText(models, referenceTokens);

    /// <summary>A model's energy on the fixed SFT answers, batched exactly as the reference was (policy = SFT gives ΔE_SFT bit for bit).</summary>
    SiteEnergies[] EnergyOnSftText(SiteModels models, int[][] answers)
    {
        var energy = new SiteEnergies[Prompts.Count];
        foreach (var chunk in referenceChunks)
        {
            var probed = Probe(models, chunk.Select(i => promptTokens[i]).ToArray(), chunk.Select(i => answers[i]).ToArray());
            for (var r = 0; r < chunk.Length; r++)
            {
                var row = r;
                energy[chunk[r]] = SiteEnergies.From(s => probed[s].MeanEnergy[row]);
            }
        }
        return energy;
    }

    sealed record Probed(float[] MeanEnergy, float[] LogProbSum);

    /// <summary>Teacher-forced energy (response tokens, EOS excluded) and summed log-prob (EOS included) at every site.</summary>
    Dictionary<EnergySite, Probed> Probe(SiteModels models, int[][] prompts, int[][] responses)
    {
        var result = new Dictionary<EnergySite, Probed>();
        foreach (var site in SiteEnergies.Sites)
        {
            using var scope = NewDisposeScope();
            var model = models[site];
            var batch = SequenceBatch.Build(prompts, responses, codec.EosId, codec.PadId, model.ParameterDevice);
            var scores = TeacherForcing.Score(model, batch);
            var energy = scores.MeanEnergy.cpu().data<float>().ToArray();
            var logProbSum = (scores.LogProbs * batch.ActionMask).sum(1).cpu().data<float>().ToArray();
            Ppo.Finite.Require(energy, $"energy at {site.ToConfigString()}", "evaluation");
            result[site] = new Probed(energy, logProbSum);
        }
        return result;
    }
}
