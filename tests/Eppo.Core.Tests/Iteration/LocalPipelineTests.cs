using Eppo.Core.Learning;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;

namespace Eppo.Core.Tests.Iteration;

public sealed class LocalPipelineTests
{
    [Fact]
    public void TinyRunTrainsAndMetricsAreFinite()
    {
        var root = Directory.CreateTempSubdirectory("eppo-local-").FullName;
        try
        {
            var spec = TinyRun.Spec();
            var models = ModelPreparation.Prepare(spec, root);
            using var pipeline = new LocalPipeline(spec, models);
            for (var i = 0; i < spec.Iterations; i++)
            {
                var m = pipeline.RunIteration(i);
                Assert.Equal(i + 1, m.PolicyVersion);
                Assert.True(double.IsFinite(m.PolicyLoss) && double.IsFinite(m.EnergyRl) && double.IsFinite(m.Kl));
                Assert.NotNull(m.GoldReward);
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Theory]
    [InlineData("official", "policy", "raw", false)]
    [InlineData("official", "sft", "spread", true)]
    [InlineData("paper", "sft", "spread", false)]
    public void EppoTrainsWithEveryEnergyVariant(string definition, string reader, string scale, bool oneSided)
    {
        var root = Directory.CreateTempSubdirectory("eppo-local-").FullName;
        try
        {
            var spec = TinyRun.Spec("eppo", iterations: 3) with
            {
                EnergyDefinition = definition, EnergyReader = reader, EnergyScale = scale, EnergyOneSided = oneSided,
            };
            using var pipeline = new LocalPipeline(spec, ModelPreparation.Prepare(spec, root));
            var penalties = Enumerable.Range(0, spec.Iterations).Select(i => pipeline.RunIteration(i)).Select(m => m.EnergyPenalty).ToArray();
            Assert.All(penalties, p => Assert.True(double.IsFinite(p) && p >= 0, $"penalty {p}"));
            // By iteration 2 the policy has moved from SFT: its answers' energy differs.
            Assert.True(penalties[^1] > 0, $"penalties {string.Join(", ", penalties)}");
            // A checkpoint carries the run's probe site, not the learner's channels, so evaluation reads it as usual;
            // a learner restored from it continues with the same state (the spread's running statistics included).
            var checkpoint = Path.Combine(root, "learner");
            pipeline.Learner.Save(checkpoint);
            var (actor, _) = ModelStore.Load(Path.Combine(checkpoint, "actor"));
            using (actor) Assert.Equal(Eppo.Core.Model.EnergySite.DownProj, actor.Config.ProbeSite);
            using var restored = new PpoLearner(spec, Eppo.Core.HackBench.HackBenchTask.Instance.Codec, ModelPreparation.LoadSft(ModelPreparation.SftPath(spec, root), spec));
            restored.Load(checkpoint);
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(pipeline.Learner.State), System.Text.Json.JsonSerializer.Serialize(restored.State));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Theory]
    [InlineData("erm-uwo", 4, 4)]
    [InlineData("warm", 1, 5)]
    [InlineData("eppo-odin", 1, 1)]
    [InlineData("inform", 1, 1)]
    [InlineData("par", 1, 1)]
    public void EveryRewardSideMethodTrainsItsRewardModelsAndLearns(string method, int scoring, int trained)
    {
        var root = Directory.CreateTempSubdirectory("eppo-local-").FullName;
        try
        {
            var spec = TinyRun.Spec(method, iterations: 2);
            var models = ModelPreparation.Prepare(spec, root);
            Assert.Equal(scoring, models.RewardPaths.Count);
            Assert.Equal(trained, models.RewardModels.Count);
            Assert.All(models.RewardModels, m => Assert.InRange(m.HeldOutAccuracy!.Value, 0.0, 1.0));
            if (method == "warm") Assert.Equal("warm average", models.RewardModels[^1].Role);
            if (method == "eppo-odin")
                Assert.Equal([RewardModelTrainer.QualityLengthCorrelation, RewardModelTrainer.LengthHeadCorrelation], models.RewardModels[0].Figures.Keys.Order().Reverse());
            using var pipeline = new LocalPipeline(spec, models);
            for (var i = 0; i < spec.Iterations; i++)
            {
                var m = pipeline.RunIteration(i);
                Assert.True(double.IsFinite(m.PolicyLoss) && double.IsFinite(m.ShapedReward), $"{method} iteration {i}");
                // PAR's reward is a sigmoid: in (0, 1) whatever the proxy says.
                if (method == "par") Assert.InRange(m.ShapedReward, 0.0, 1.0);
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
