using Eppo.Core.Learning;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;

namespace Eppo.Core.Tests.Iteration;

/// <summary>The in-process driver trains: every energy variant, and a checkpointed learner restores to the same state.</summary>
public sealed class LocalPipelineTests(ModelCacheRoot models) : IClassFixture<ModelCacheRoot>
{
    [Fact]
    public void TinyRunTrainsAndMetricsAreFinite()
    {
        var spec = TinyRun.Spec();
        using var pipeline = new LocalPipeline(spec, ModelPreparation.Prepare(spec, models.Path));
        for (var i = 0; i < spec.Iterations; i++)
        {
            var m = pipeline.RunIteration(i);
            Assert.Equal(i + 1, m.PolicyVersion);
            Assert.True(double.IsFinite(m.PolicyLoss) && double.IsFinite(m.EnergyRl) && double.IsFinite(m.Kl));
            Assert.NotNull(m.GoldReward);
        }
    }

    [Theory]
    [InlineData("official", "policy", "raw", false)]
    [InlineData("official", "sft", "spread", true)]
    [InlineData("paper", "sft", "spread", false)]
    public void EppoTrainsWithEveryEnergyVariant(string definition, string reader, string scale, bool oneSided)
    {
        var scratch = models.Scratch();
        try
        {
            var spec = TinyRun.Spec("eppo", iterations: 3) with
            {
                EnergyDefinition = definition, EnergyReader = reader, EnergyScale = scale, EnergyOneSided = oneSided,
            };
            using var pipeline = new LocalPipeline(spec, ModelPreparation.Prepare(spec, models.Path));
            var penalties = Enumerable.Range(0, spec.Iterations).Select(i => pipeline.RunIteration(i)).Select(m => m.EnergyPenalty).ToArray();
            Assert.All(penalties, p => Assert.True(double.IsFinite(p) && p >= 0, $"penalty {p}"));
            // By iteration 2 the policy has moved from SFT: its answers' energy differs.
            Assert.True(penalties[^1] > 0, $"penalties {string.Join(", ", penalties)}");
            // A checkpoint carries the run's probe site, not the learner's channels, so evaluation reads it as usual;
            // a learner restored from it continues with the same state (the spread's running statistics included).
            var checkpoint = Path.Combine(scratch, "learner");
            pipeline.Learner.Save(checkpoint);
            var (actor, _) = ModelStore.Load(Path.Combine(checkpoint, "actor"));
            using (actor) Assert.Equal(Eppo.Core.Model.EnergySite.DownProj, actor.Config.ProbeSite);
            using var restored = new PpoLearner(spec, Eppo.Core.HackBench.HackBenchTask.Instance.Codec, ModelPreparation.LoadSft(ModelPreparation.SftPath(spec, models.Path), spec));
            restored.Load(checkpoint);
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(pipeline.Learner.State), System.Text.Json.JsonSerializer.Serialize(restored.State));
        }
        finally { Directory.Delete(scratch, recursive: true); }
    }
}
