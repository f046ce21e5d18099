using Eppo.Core.Training;

namespace Eppo.Core.Tests.Training;

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
}
