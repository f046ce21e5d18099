using Eppo.Core.Iteration;
using Eppo.Core.Preparation;

namespace Eppo.Core.Tests.Iteration;

/// <summary>Every reward-side method prepares its reward models (ensembles, WARM's average, ODIN, InfoRM, PAR) and learns in process.</summary>
public sealed class RewardSideMethodPipelineTests(ModelCacheRoot models) : IClassFixture<ModelCacheRoot>
{
    [Theory]
    [InlineData("erm-uwo", 4, 4)]
    [InlineData("warm", 1, 5)]
    [InlineData("eppo-odin", 1, 1)]
    [InlineData("inform", 1, 1)]
    [InlineData("par", 1, 1)]
    public void EveryRewardSideMethodTrainsItsRewardModelsAndLearns(string method, int scoring, int trained)
    {
        var spec = TinyRun.Spec(method, iterations: 2);
        var prepared = ModelPreparation.Prepare(spec, models.Path);
        Assert.Equal(scoring, prepared.RewardPaths.Count);
        Assert.Equal(trained, prepared.RewardModels.Count);
        Assert.All(prepared.RewardModels, m => Assert.InRange(m.HeldOutAccuracy!.Value, 0.0, 1.0));
        if (method == "warm") Assert.Equal("warm average", prepared.RewardModels[^1].Role);
        if (method == "eppo-odin")
            Assert.Equal([RewardModelTrainer.QualityLengthCorrelation, RewardModelTrainer.LengthHeadCorrelation], prepared.RewardModels[0].Figures.Keys.Order().Reverse());
        using var pipeline = new LocalPipeline(spec, prepared);
        for (var i = 0; i < spec.Iterations; i++)
        {
            var m = pipeline.RunIteration(i);
            Assert.True(double.IsFinite(m.PolicyLoss) && double.IsFinite(m.ShapedReward), $"{method} iteration {i}");
            // PAR's reward is a sigmoid: in (0, 1) whatever the proxy says.
            if (method == "par") Assert.InRange(m.ShapedReward, 0.0, 1.0);
        }
    }
}
