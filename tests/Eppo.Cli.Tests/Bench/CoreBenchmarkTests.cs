using System.Text.Json;
using Eppo.Cli.Bench;

namespace Eppo.Cli.Tests.Bench;

/// <summary>Plumbing only (a tiny model, one repetition): the benchmark runs and reports. Speed is not asserted.</summary>
public sealed class CoreBenchmarkTests
{
    [Fact]
    public void SmokeRunReportsEveryNumberAsJson()
    {
        var steps = new List<string>();
        var result = CoreBenchmark.Run(CoreBenchmarkOptions.Smoke(), steps.Add);

        Assert.Contains(steps, s => s.Contains("generation"));
        Assert.Equal(6, result.NewTokens);
        Assert.Equal(2 * (4 + 6), result.TrainTokens);
        foreach (var value in new[] { result.KvSpeedup, result.TrainStepMs, result.TrainStepGflops, result.MatmulPeakGflops,
                     result.GenerationTokensPerSKv, result.GenerationTokensPerSNoCache, result.ForwardMsProbe, result.ForwardMsNoProbe })
            Assert.True(double.IsFinite(value) && value > 0, $"{value} should be a positive rate or time");
        Assert.True(double.IsFinite(result.ProbeOverheadPct));

        using var json = JsonDocument.Parse(result.ToJson());
        foreach (var key in new[] { "kv_speedup", "probe_overhead_pct", "train_step_ms", "matmul_peak_gflops", "train_step_gflops", "threads", "cpu_model" })
            Assert.True(json.RootElement.TryGetProperty(key, out _), $"JSON lacks {key}");
        Assert.Equal(result.KvSpeedup, json.RootElement.GetProperty("kv_speedup").GetDouble());
    }

    [Fact]
    public void BadOptionsNameTheField()
    {
        var error = Assert.Throws<EppoException>(() => CoreBenchmark.Run(CoreBenchmarkOptions.Smoke() with { NewTokens = 100 }));
        Assert.Contains("MaxPositions", error.Message);
        Assert.Contains("BatchSize", Assert.Throws<EppoException>(() => (CoreBenchmarkOptions.Smoke() with { BatchSize = 0 }).Validate()).Message);
    }
}
