using static TorchSharp.torch;
using Eppo.Contracts;
using Eppo.Core.HackBench;
using Eppo.Core.Model;
using Eppo.Core.Ppo;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;
using Eppo.Core.Tests.Iteration;

namespace Eppo.Core.Tests.Preparation;

/// <summary>Ensembles, WARM, ODIN, InfoRM and PAR: the identities the issue names, by hand, and the spec's refusals.</summary>
public sealed class RewardSideMethodTests
{
    static RunSpec Spec => TinyRun.Spec();

    static string Refused(RunSpec spec) => Assert.Throws<EppoException>(() => spec.Validate("spec.json")).Message;

    [Fact]
    public void AnEnsembleOfIdenticalMembersScoresLikeOneMember()
    {
        float[] member = [1.5f, -0.25f, 0.75f];
        float[][] identical = [member, member, member, member];
        Assert.Equal(member, RewardSources.Combine(RewardCombination.Mean, identical));
        Assert.Equal(member, RewardSources.Combine(RewardCombination.Min, identical));
        Assert.Equal(member, RewardSources.Combine(RewardCombination.Uwo, identical, uwoLambda: 5)); // variance 0
    }

    [Fact]
    public void MinAndUwoAreComputedByHand()
    {
        float[][] members = [[1f, -2f], [3f, 0f]];
        Assert.Equal([1f, -2f], RewardSources.Combine(RewardCombination.Min, members));
        // mean 2 and −1, population variance 1 and 1: 2 − 0.5·1, −1 − 0.5·1.
        Assert.Equal([1.5f, -1.5f], RewardSources.Combine(RewardCombination.Uwo, members, uwoLambda: 0.5));
        Assert.Equal([2f, -1f], RewardSources.Combine(RewardCombination.Uwo, members, uwoLambda: 0));
    }

    [Fact]
    public void WarmOfIdenticalMembersIsTheMemberAndOfTwoIsTheirMean()
    {
        using var a = new DecoderModel(ModelConfig.Tiny(), HeadKind.Reward, seed: 3, initStd: 0.2);
        using var b = new DecoderModel(ModelConfig.Tiny(), HeadKind.Reward, seed: 4, initStd: 0.2);
        using var same = WeightAverage.Of([a, a, a], ["a", "a", "a"]);
        using var mixed = WeightAverage.Of([a, b], ["a", "b"]);
        var (sa, sb, ss, sm) = (a.state_dict(), b.state_dict(), same.state_dict(), mixed.state_dict());
        foreach (var name in sa.Keys)
        {
            Assert.Equal(sa[name].data<float>().ToArray(), ss[name].data<float>().ToArray());
            var expected = sa[name].data<float>().Zip(sb[name].data<float>(), (x, y) => (x + y) / 2).ToArray();
            var actual = sm[name].data<float>().ToArray();
            for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 6);
        }
        using var other = new DecoderModel(ModelConfig.Tiny() with { HiddenSize = 64, IntermediateSize = 96 }, HeadKind.Reward);
        Assert.Contains("differs from", Assert.Throws<EppoException>(() => WeightAverage.Of([a, other], ["a", "wide"])).Message);
    }

    [Fact]
    public void ParIsOneHalfAtTheReferenceAndRisesWithTheReward()
    {
        Assert.Equal([0.5f, 0.5f], ReferenceSigmoid.Apply([0.3f, -2f], [0.3f, -2f]));
        var rising = ReferenceSigmoid.Apply([-3f, -1f, 0f, 0.5f, 2f, 6f], [0f, 0f, 0f, 0f, 0f, 0f]);
        Assert.All(rising.Zip(rising.Skip(1)), p => Assert.True(p.First < p.Second));
        Assert.All(rising, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(1 / (1 + Math.Exp(-2)), ReferenceSigmoid.Apply([1.5f], [-0.5f])[0], 6);
        Assert.Contains("reference scores", Assert.Throws<EppoException>(() => ReferenceSigmoid.Apply([1f, 2f], [])).Message);
    }

    [Fact]
    public void OdinsLengthHeadLearnsLengthOnDataBuiltForIt()
    {
        // Every pair prefers the doubled (longer) answer: length is the whole of the signal.
        var codec = HackBenchTask.Instance.Codec;
        var examples = SftDataset.Generate(5, 700);
        PreferenceGroup Group(SftExample e) => new(e.PromptText, [e.Response, e.Response + " " + e.Response], [(1, 0)]);
        var data = new PreferenceData(examples.Take(600).Select(Group).ToArray(),
            examples.Skip(600).Select(e => new HeldOutPair(e.PromptText, e.Response + " " + e.Response, e.Response)).ToArray(), double.NaN, double.NaN);
        using var sft = new DecoderModel(ModelConfig.Tiny(vocabSize: codec.VocabSize, maxPositions: 64), HeadKind.LanguageModel, seed: 2);
        var (rm, report) = RewardModelTrainer.Train(sft, codec, data,
            new RewardModelTrainer.Options(4, 32, 3e-3, 1, RewardHeadOptions.For(RewardModelKind.Odin, new RewardSpec())));
        using (rm)
        {
            Assert.Equal(HeadKind.OdinReward, rm.Kind);
            var lengthHead = report.Figures![RewardModelTrainer.LengthHeadCorrelation];
            var quality = report.Figures[RewardModelTrainer.QualityLengthCorrelation];
            Assert.True(lengthHead > 0.8, $"length head correlation with length {lengthHead}");
            Assert.True(Math.Abs(quality) < lengthHead, $"quality head {quality} vs length head {lengthHead}");
        }
    }

    [Fact]
    public void InfoRmTrainsScoresFromTheMeanAndRoundTripsItsLatent()
    {
        var codec = HackBenchTask.Instance.Codec;
        var examples = SftDataset.Generate(6, 200);
        var data = new PreferenceData(examples.Take(160).Select(e => new PreferenceGroup(e.PromptText, [e.Response, e.Response + " " + e.Response], [(0, 1)])).ToArray(),
            examples.Skip(160).Select(e => new HeldOutPair(e.PromptText, e.Response, e.Response + " " + e.Response)).ToArray(), double.NaN, double.NaN);
        using var sft = new DecoderModel(ModelConfig.Tiny(vocabSize: codec.VocabSize, maxPositions: 64), HeadKind.LanguageModel, seed: 2);
        var head = RewardHeadOptions.For(RewardModelKind.InfoRm, new RewardSpec { InformLatent = 6, InformBeta = 0.1 });
        var (rm, report) = RewardModelTrainer.Train(sft, codec, data, new RewardModelTrainer.Options(2, 32, 3e-3, 1, head));
        var dir = Directory.CreateTempSubdirectory("eppo-inform-").FullName;
        try
        {
            using (rm)
            {
                Assert.Equal((HeadKind.InfoReward, 6), (rm.Kind, rm.RewardLatent));
                Assert.True(report.HeldOutAccuracy > 0.9, $"held-out accuracy {report.HeldOutAccuracy}");
                ModelStore.Save(Path.Combine(dir, "rm"), rm, new() { ["norm_mean"] = 0, ["norm_std"] = 1 });
                using var scorer = (RewardModelScorer)RewardSources.Member(Path.Combine(dir, "rm"), HackBenchTask.Instance);
                var prompts = examples.Take(4).Select(e => codec.EncodePrompt(e.PromptText)).ToArray();
                var responses = examples.Take(4).Select(e => codec.EncodeResponse(e.Response)).ToArray();
                // Scoring decodes μ: the same answer scores the same every time, and as the trained model scores it.
                Assert.Equal(scorer.Score(prompts, responses), scorer.Score(prompts, responses));
                using var noGrad = no_grad();
                var direct = TeacherForcing.Rewards(rm, SequenceBatch.Build(prompts, responses, codec.EosId, codec.PadId)).data<float>().ToArray();
                var loaded = scorer.Score(prompts, responses);
                for (var i = 0; i < direct.Length; i++) Assert.Equal(direct[i], loaded[i], 5);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void EnsemblesWarmOdinAndInformRefuseWhatTheyCannotUse()
    {
        Assert.Contains("field 'reward.members': method 'erm-mean' combines at least 2 reward models (got 1)",
            Refused(Spec with { Method = "erm-mean", Reward = Spec.Reward with { Members = 1 } }));
        Assert.Contains("field 'reward.members'", Refused(Spec with { Method = "warm", Reward = Spec.Reward with { Members = 1 } }));
        Assert.Contains("field 'reward.checkpoints': method 'erm-wco' combines at least 2",
            Refused(Spec with { Method = "erm-wco", Reward = Spec.Reward with { Source = "checkpoints", Checkpoints = [Path.GetTempPath()] } }));
        Assert.Contains("field 'reward.source': method 'odin' trains its own Odin reward model",
            Refused(Spec with { Method = "odin", Reward = Spec.Reward with { Source = "gold" } }));
        Assert.Contains("field 'reward.source'", Refused(Spec with { Method = "eppo-inform", Reward = Spec.Reward with { Source = Path.GetTempPath() } }));
        Assert.Contains("field 'reward.uwo_lambda'", Refused(Spec with { Method = "erm-uwo", Reward = Spec.Reward with { UwoLambda = -0.1 } }));
        Assert.Contains("field 'reward.inform_latent'", Refused(Spec with { Method = "inform", Reward = Spec.Reward with { InformLatent = 0 } }));
        Assert.Contains("field 'reward.inform_beta'", Refused(Spec with { Method = "inform", Reward = Spec.Reward with { InformBeta = double.NaN } }));
        // PAR works on any source, the gold judge included.
        (Spec with { Method = "par", Reward = Spec.Reward with { Source = "gold" } }).Validate();
    }

    [Fact]
    public void AMemberThatFailsToTrainFailsThePreparationNamingIt()
    {
        var root = Directory.CreateTempSubdirectory("eppo-member-").FullName;
        try
        {
            var spec = Spec with { Method = "inform" };
            var (sft, _) = ModelPreparation.PrepareSft(spec, root);
            var broken = ModelPreparation.RewardPlan(spec)[0] with { Head = new RewardHeadOptions(RewardModelKind.InfoRm, InformLatent: 0) };
            var message = Assert.Throws<EppoException>(() => ModelPreparation.TrainMember(spec, broken, sft, ModelPreparation.MemberPath(spec, broken, root))).Message;
            Assert.StartsWith("reward model 'inform': InfoRM head: latent size must be positive", message);
            Assert.False(Directory.Exists(ModelPreparation.MemberPath(spec, broken, root)), "nothing half-written is left to be found as cached");
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void RewardPlansShareTheProxyAndTheEnsemblesShareTheirMembers()
    {
        var root = Path.GetTempPath();
        string Key(string method, int member) => ModelPreparation.MemberKey(Spec with { Method = method }, ModelPreparation.RewardPlan(Spec with { Method = method })[member]);
        var proxy = Key("ppo", 0);
        Assert.Equal(proxy, Key("erm-mean", 0));
        Assert.Equal(proxy, Key("warm", 0));
        Assert.Equal(proxy, Key("par", 0));
        Assert.NotEqual(proxy, Key("odin", 0));
        Assert.NotEqual(Key("erm-mean", 1), Key("warm", 1));
        Assert.Equal(ModelPreparation.CacheKey(Spec with { Method = "erm-mean" }), ModelPreparation.CacheKey(Spec with { Method = "erm-uwo" }));
        Assert.NotEqual(ModelPreparation.CacheKey(Spec with { Method = "erm-mean" }), ModelPreparation.CacheKey(Spec with { Method = "warm" }));
        // RL settings and the combination do not change a member.
        Assert.Equal(Key("erm-wco", 2), ModelPreparation.MemberKey(Spec with { Method = "erm-wco", Eta = 9, Reward = Spec.Reward with { UwoLambda = 3 } },
            ModelPreparation.RewardPlan(Spec with { Method = "erm-wco" })[2]));

        // Trainer grains: one per model, a plan's members at consecutive placement slots.
        string Trainer(string method, int member) => ModelPreparation.TrainerKey(Spec with { Method = method }, ModelPreparation.RewardPlan(Spec with { Method = method })[member]);
        Assert.Equal(Trainer("ppo", 0), Trainer("warm", 0));
        var family = Trainer("erm-mean", 0)[..^2];
        Assert.Equal(Enumerable.Range(0, 4).Select(m => $"{family}/{m}"), Enumerable.Range(0, 4).Select(m => Trainer("erm-wco", m)));
        Assert.NotEqual(Trainer("erm-mean", 1), Trainer("warm", 1));

        var warm = ModelPreparation.RewardPlan(Spec with { Method = "warm" });
        Assert.Equal(TrainingMethods.Ensemble, warm.Count);
        Assert.All(warm, r => Assert.Equal((Spec.Seed, Spec.Seed), (r.DataSeed, r.InitSeed)));
        Assert.Equal([1, 0.5, 2, Math.Pow(2, -0.5)], warm.Select(r => r.LrScale));
        Assert.Equal(warm.Count, warm.Select(r => r.OrderSeed).Distinct().Count());
        var erm = ModelPreparation.RewardPlan(Spec with { Method = "erm-uwo", Reward = Spec.Reward with { Members = 3 } });
        Assert.Equal(["member 1/3", "member 2/3", "member 3/3"], erm.Select(r => r.Role));
        Assert.Equal(3, erm.Select(r => r.InitSeed).Distinct().Count());
        Assert.Equal(1, (Spec with { Method = "warm" }).ScoringMembers);
        Assert.StartsWith(Path.Combine(root, "models"), ModelPreparation.WarmPath(Spec with { Method = "warm" }, root));
    }
}
