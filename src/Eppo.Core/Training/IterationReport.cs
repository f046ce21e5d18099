using Eppo.Core.Runs;

namespace Eppo.Core.Training;

/// <summary>Adds what the orchestrator measured (timings, gold score, cache hits, alarm) to the learner's metrics.</summary>
public static class IterationReport
{
    public const double AlarmK = 2.0;

    public static IterationMetrics Complete(IterationMetrics learner, float[]? gold, int cacheHits, int batchSize, int responseTokens,
        double generateSeconds, double scoreSeconds, double energySeconds, double learnSeconds, double iterationSeconds,
        float[] energyRl, float[] energySft) => learner with
    {
        GoldReward = gold?.Average(),
        GenerateSeconds = generateSeconds,
        ScoreSeconds = scoreSeconds,
        EnergyReferenceSeconds = energySeconds,
        LearnSeconds = learnSeconds,
        IterationSeconds = iterationSeconds,
        RolloutTokensPerSecond = generateSeconds > 0 ? responseTokens / generateSeconds : 0,
        EnergyCacheHitRatio = (double)cacheHits / batchSize,
        HackingAlarmShare = AlarmShare(energyRl, energySft, AlarmK),
    };

    /// <summary>Share of responses whose ΔE_RL departs from their prompt's ΔE_SFT by more than k standard deviations of ΔE_SFT.</summary>
    public static double AlarmShare(float[] energyRl, float[] energySft, double k)
    {
        var mean = energySft.Average();
        var sigma = Math.Max(Math.Sqrt(energySft.Average(e => (e - mean) * (e - mean))), 1e-6);
        return energyRl.Zip(energySft).Count(p => Math.Abs(p.First - p.Second) > k * sigma) / (double)energyRl.Length;
    }
}
