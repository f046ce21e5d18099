using Eppo.Core.Energy;
using Eppo.Contracts;

namespace Eppo.Core.Iteration;

/// <summary>Adds what the orchestrator measured (timings, gold score, cache hits, alarm) to the learner's metrics.</summary>
public static class IterationReport
{
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
        HackingAlarmShare = HackingAlarm.Share(energyRl, energySft),
        HackingAlarmShares = AlarmShares.From(k => HackingAlarm.Share(energyRl, energySft, k)),
    };
}
