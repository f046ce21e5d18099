using TorchSharp;
using static TorchSharp.torch;
using Eppo.Core.Tasks;
using Eppo.Core.Evaluation;
using Eppo.Core.HackBench;
using Eppo.Core.Model;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;

namespace Eppo.Core.Tests.Evaluation;

/// <summary>A briefly trained tiny SFT policy (ends its answers with EOS) and a second, perturbed policy, shared by the tests.</summary>
public sealed class TinyPolicies : IDisposable
{
    public TinyPolicies()
    {
        Codec = HackBenchTask.Instance.Codec;
        var config = ModelConfig.Tiny(vocabSize: Codec.VocabSize, maxPositions: 64);
        Sft = SftTrainer.Train(config, Codec, SftDataset.Generate(3, 500).Select(e => new SftRow(e.PromptText, e.Response)).ToArray(), new SftTrainer.Options(40, 32, 3e-3, 3)).Policy;
        Sft.eval();
        // Another policy at another probe site: same shape, weights nudged away from the SFT's.
        Other = ModelFactory.CopyOf(Sft, HeadKind.LanguageModel, 0, EnergySite.Block);
        using (no_grad())
        {
            var rng = new torch.Generator(11);
            foreach (var p in Other.parameters()) p.add_(randn(p.shape, generator: rng) * 0.05);
        }
        Other.eval();
        Prompts = HackBenchTask.Instance.HeldOutPrompts(24, seed: 5);
        HackBenchPrompts = PromptGenerator.Generate(5, HackBenchSplit.HeldOut, 24);
    }

    public TaskCodec Codec { get; }
    public DecoderModel Sft { get; }
    public DecoderModel Other { get; }
    /// <summary>HackBench's held-out prompts of seed 5, through the task seam (what the evaluator reads)...</summary>
    public PromptSet Prompts { get; }
    /// <summary>... and as the generator made them.</summary>
    public IReadOnlyList<HackBenchPrompt> HackBenchPrompts { get; }

    public PolicyEvaluator Evaluator(EvaluationOptions? options = null) =>
        PolicyEvaluator.For(HackBenchTask.Instance, Sft, new LengthProxy(), 24, seed: 5, options ?? new EvaluationOptions(MaxNewTokens: 10, BatchSize: 10));

    public void Dispose()
    {
        Sft.Dispose();
        Other.Dispose();
    }
}

/// <summary>A stand-in proxy: response length in tokens (EOS included) over ten.</summary>
public sealed class LengthProxy : IRewardFunction
{
    public float[] Score(int[][] prompts, int[][] responses) => responses.Select(r => r.Length / 10f).ToArray();
}

public sealed class PolicyEvaluatorTests(TinyPolicies tiny) : IClassFixture<TinyPolicies>
{
    [Fact]
    public void RecordsFollowThePromptsAndJudgeEachResponse()
    {
        using var evaluator = tiny.Evaluator();
        var e = evaluator.Evaluate(tiny.Other, "other");

        Assert.Equal(EnergySite.Block, e.ProbeSite);
        Assert.Equal(tiny.Prompts.Count, e.Count);
        for (var i = 0; i < e.Count; i++)
        {
            var s = e.Samples[i];
            var prompt = tiny.HackBenchPrompts[i];
            Assert.Equal((i, prompt.Id, prompt.Text), (s.Index, s.PromptId, s.Prompt));
            // The task's gold judge reads the prompt back from its tokens: the verdict on the generated prompt itself.
            Assert.Equal(GoldJudge.Score(prompt, s.Response), s.Gold);
            Assert.Equal(prompt.IsHarmful, s.Gold.Harmful);
            // Length counts generated tokens without EOS; decoding drops stray pad/bos tokens, so words can be fewer.
            Assert.InRange(tiny.Codec.Tokenizer.Encode(s.Response).Length, 0, s.Length);
            Assert.InRange(s.Length, 0, 10);
            // The proxy saw the response with its EOS when one was produced.
            Assert.True(s.Proxy == s.Length / 10f || s.Proxy == (s.Length + 1) / 10f);
            Assert.Equal(evaluator.SftReferenceResponses[i], s.SftReferenceResponse);
            foreach (var site in SiteEnergies.Sites)
                Assert.True(float.IsFinite(s.PolicyEnergy.At(site)) && float.IsFinite(s.SftEnergy.At(site))
                            && float.IsFinite(s.SftReferenceEnergy.At(site)) && float.IsFinite(s.PolicyEnergyOnSftText.At(site)));
            // The four sites probe different things.
            Assert.Equal(4, SiteEnergies.Sites.Select(site => s.PolicyEnergy.At(site)).Distinct().Count());
        }
        Assert.Contains(e.Samples, s => s.Gold.Harmful);
        Assert.Contains(e.Samples, s => !s.Gold.Harmful);
        // The briefly trained SFT ends most greedy answers before the token limit.
        Assert.Contains(evaluator.SftReferenceResponses, r => r.Split(' ').Length < 10);
    }

    [Fact]
    public void SameSeedGivesIdenticalRecordsAcrossEvaluators()
    {
        using var first = tiny.Evaluator();
        using var second = tiny.Evaluator();
        Assert.Equal(first.Evaluate(tiny.Other, "x").Samples, second.Evaluate(tiny.Other, "x").Samples);

        using var reseeded = tiny.Evaluator(new EvaluationOptions(MaxNewTokens: 10, BatchSize: 10, SamplingSeed: 99));
        var a = first.Evaluate(tiny.Other, "x");
        var b = reseeded.Evaluate(tiny.Other, "x");
        Assert.NotEqual(a.Samples.Select(s => s.Response), b.Samples.Select(s => s.Response));
        Assert.Throws<EppoException>(() => EvaluationMetrics.Compare(a, b));
    }

    [Fact]
    public void SftAgainstItselfHasZeroKlAndMatchingEnergies()
    {
        using var evaluator = tiny.Evaluator();
        var sft = evaluator.EvaluateSft();
        Assert.Equal("sft", sft.Label);
        foreach (var s in sft.Samples)
        {
            Assert.Equal(0f, s.Kl);
            Assert.Equal(s.SftEnergy, s.PolicyEnergy);
            Assert.Equal(s.SftReferenceEnergy, s.PolicyEnergyOnSftText);
        }
        // Sampled, not greedy: some sampled answers differ from the greedy one.
        Assert.Contains(sft.Samples, s => s.Response != s.SftReferenceResponse);
    }

    [Fact]
    public void SamplingNoiseIsPairedAcrossPolicies()
    {
        // Identical weights probed at another site: exactly the SFT's samples, so the noise depends on nothing but the seed.
        using var twin = ModelFactory.CopyOf(tiny.Sft, HeadKind.LanguageModel, 0, EnergySite.Mlp);
        twin.eval();
        using var evaluator = tiny.Evaluator();
        var sft = evaluator.EvaluateSft();
        var copy = evaluator.Evaluate(twin, "twin");
        Assert.Equal(sft.Samples.Select(s => s.Response), copy.Samples.Select(s => s.Response));
        Assert.Equal(EnergySite.Mlp, copy.ProbeSite);
        var result = EvaluationMetrics.Compare(copy, sft);
        Assert.Equal(new WinTieLose(0, sft.Count, 0), result);

        var other = evaluator.Evaluate(tiny.Other, "other");
        Assert.Equal(sft.Samples.Select(s => s.PromptId), other.Samples.Select(s => s.PromptId));
        Assert.Equal(sft.Count, EvaluationMetrics.Compare(other, sft).Pairs);
    }

    [Fact]
    public void KlAndReferenceEnergyMatchIndependentComputations()
    {
        using var evaluator = tiny.Evaluator();
        var other = evaluator.Evaluate(tiny.Other, "other");
        var s = other.Samples[3];
        var prompt = tiny.Codec.EncodePrompt(s.Prompt);
        var response = tiny.Codec.Tokenizer.Encode(s.Response).ToList();
        if (response.Count < 10) response.Add(tiny.Codec.EosId);   // the sample ended with EOS unless it hit the limit

        using (no_grad())
        {
            using var scope = NewDisposeScope();
            var batch = SequenceBatch.Build([prompt], [response.ToArray()], tiny.Codec.EosId, tiny.Codec.PadId);
            var policy = TeacherForcing.Score(tiny.Other, batch);
            var reference = TeacherForcing.Score(tiny.Sft, batch);
            var kl = (policy.LogProbs - reference.LogProbs).sum().item<float>();
            Assert.Equal(kl, s.Kl, 4);
            Assert.Equal(policy.MeanEnergy.item<float>(), s.PolicyEnergy.Block, 4);
            Assert.Equal(reference.MeanEnergy.item<float>(), s.SftEnergy.DownProj, 4);
        }

        // ΔE_SFT(x) at the SFT's own site is what the training pipeline's reference cache computes.
        var ids = tiny.Prompts.Ids.ToArray();
        var energy = new EnergyReferenceCache().Get(ids, tiny.HackBenchPrompts.Select(p => tiny.Codec.EncodePrompt(p.Text)).ToArray(), new SftEnergyReference(FrozenModel.Borrow(tiny.Sft), tiny.Codec, 10, tiny.Sft.Config.ProbeSite)).Reference.Energy;
        for (var i = 0; i < ids.Length; i++) Assert.Equal(energy[i], other.Samples[i].SftReferenceEnergy.DownProj, 4);
    }

    [Fact]
    public void EvaluatesAPolicyDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("eppo-eval-").FullName;
        try
        {
            ModelStore.Save(dir, tiny.Other);
            using var evaluator = tiny.Evaluator();
            Assert.Equal(evaluator.Evaluate(tiny.Other, "p").Samples, evaluator.Evaluate(dir, "p").Samples);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void RejectsBadInput()
    {
        var gold = HackBenchTask.Instance.Gold;
        Assert.Throws<EppoException>(() => new PolicyEvaluator(tiny.Sft, new LengthProxy(), tiny.Codec, gold, new PromptSet([], [])));
        Assert.Throws<EppoException>(() => new PolicyEvaluator(tiny.Sft, new LengthProxy(), tiny.Codec, gold,
            new PromptSet([tiny.Prompts.Ids[0], tiny.Prompts.Ids[0]], [tiny.Prompts.Tokens[0], tiny.Prompts.Tokens[0]])));
        // A task without a gold judge has no evaluation of this kind.
        Assert.Contains("task 'jsonl' has no gold judge",
            Assert.Throws<EppoException>(() => PolicyEvaluator.For(JsonlPromptsTask.Instance, tiny.Sft, new LengthProxy(), 4, 0)).Message);
        Assert.Throws<EppoException>(() => tiny.Evaluator(new EvaluationOptions(BatchSize: 0)));
    }

    [Fact]
    public void BestOfNSamplesAreScoredByProxyAndGoldFixedBySeedAndApartFromTheEvaluationsNoise()
    {
        using var evaluator = tiny.Evaluator();
        var scores = evaluator.SampleScores(tiny.Sft, 6);
        Assert.Equal(24, scores.Count);
        Assert.All(scores, prompt => Assert.Equal(6, prompt.Count));
        // The same call gives the same samples; the proxy is length / 10, so each score is a whole token count over ten.
        Assert.Equal(scores.Select(p => p.ToArray()), evaluator.SampleScores(tiny.Sft, 6).Select(p => p.ToArray()));
        Assert.All(scores.SelectMany(p => p), s => Assert.Equal(Math.Round(s.Proxy * 10), s.Proxy * 10, 4));
        Assert.All(scores.SelectMany(p => p), s => Assert.InRange(s.Gold, -1.5, 1));
        // The samples differ within a prompt (sampling, not one answer six times), and from the evaluation's own draw.
        Assert.Contains(scores, p => p.Select(s => s.Proxy).Distinct().Count() > 1);
        var evaluated = evaluator.EvaluateSft();
        Assert.NotEqual(evaluated.Samples.Select(s => (double)s.Proxy), scores.Select(p => p[0].Proxy));
    }
}
