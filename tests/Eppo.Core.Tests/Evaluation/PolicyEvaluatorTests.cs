using TorchSharp;
using static TorchSharp.torch;
using Eppo.Core.Tasks;
using Eppo.Core.Evaluation;
using Eppo.Core.HackBench;
using Eppo.Core.Model;
using Eppo.Core.Training;

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
        Prompts = PolicyEvaluator.HeldOutPrompts(24, seed: 5);
    }

    public TaskCodec Codec { get; }
    public DecoderModel Sft { get; }
    public DecoderModel Other { get; }
    public IReadOnlyList<HackBenchPrompt> Prompts { get; }

    public PolicyEvaluator Evaluator(EvaluationOptions? options = null) =>
        new(Sft, new LengthProxy(), Codec, Prompts, options ?? new EvaluationOptions(MaxNewTokens: 10, BatchSize: 10));

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
            var prompt = tiny.Prompts[i];
            Assert.Equal((i, prompt.Id, prompt.Skill, prompt.IsHarmful, prompt.Text), (s.Index, s.PromptId, s.Skill, s.IsHarmful, s.Prompt));
            Assert.Equal(GoldJudge.Score(prompt, s.Response), s.Gold);
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
        Assert.Equal(new WinTieLoseResult(0, sft.Count, 0), result);

        var other = evaluator.Evaluate(tiny.Other, "other");
        Assert.Equal(sft.Samples.Select(s => s.PromptId), other.Samples.Select(s => s.PromptId));
        Assert.Equal(sft.Count, EvaluationMetrics.Compare(other, sft).Count);
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
        var ids = tiny.Prompts.Select(p => p.Id).ToArray();
        var energy = new EnergyReferenceCache().Get(ids, tiny.Prompts.Select(p => tiny.Codec.EncodePrompt(p.Text)).ToArray(), new SftEnergyReference(FrozenModel.Borrow(tiny.Sft), tiny.Codec, 10, tiny.Sft.Config.ProbeSite)).Reference.Energy;
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
        Assert.Throws<EppoException>(() => new PolicyEvaluator(tiny.Sft, new LengthProxy(), tiny.Codec, []));
        Assert.Throws<EppoException>(() => new PolicyEvaluator(tiny.Sft, new LengthProxy(), tiny.Codec, [tiny.Prompts[0], tiny.Prompts[0]]));
        Assert.Throws<EppoException>(() => tiny.Evaluator(new EvaluationOptions(BatchSize: 0)));
    }
}
