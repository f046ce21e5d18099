using Xunit;

namespace Eppo.Pipeline.Tests.Observability;

/// <summary>The extraction of metric names from PromQL the name checks rely on.</summary>
public class ExposedNamesTests
{
    [Fact]
    public void MetricNamesSkipFunctionsLabelsRangesAndKeywords()
    {
        var names = ExposedNames.MetricNames(
            "histogram_quantile(0.9, sum by (le, run) (rate(eppo_energy_loss_rl_bucket{run=~\"$run\", le!=\"x_y\"}[2m]))) " +
            "- 2 * max by (run) (eppo_energy_loss_sft_std offset 15m) unless on (run) (count(up{job=\"eppo-silo\"} == 1) > 1e-3)");
        Assert.Equal(new HashSet<string> { "eppo_energy_loss_rl_bucket", "eppo_energy_loss_sft_std", "up" }, names);
    }

    [Fact]
    public void RuleExpressionsReadSingleLinesAndBlocks()
    {
        var yaml = "    rules:\n      - alert: A\n        expr: eppo_a == 1\n        for: 1m\n      - alert: B\n        expr: |\n          eppo_b\n            > 2\n        labels:\n";
        Assert.Equal(["eppo_a == 1", "eppo_b\n            > 2"], ExposedNames.RuleExpressions(yaml));
    }

    [Fact]
    public void SamplesParseLabelsAndValues()
    {
        var samples = ExposedNames.Samples("# TYPE x gauge\nx{a=\"1\",b=\"q\\\"z\"} -0.5\ny_total 3 1700000000\n# EOF\n").ToList();
        Assert.Equal(["x", "y_total"], samples.Select(s => s.Name));
        Assert.Equal("q\\\"z", samples[0].Labels["b"]);
        Assert.Equal(-0.5, samples[0].Number);
    }
}
