namespace Eppo.Contracts;

/// <summary>What one PPO iteration measured. Means are over the batch's responses.</summary>
public sealed record IterationMetrics
{
    public int Iteration { get; init; }
    public int PolicyVersion { get; init; }

    // Rewards: proxy RM score r, shaped reward r̂ (what PPO optimised), gold judge (when the task has one).
    public double ProxyReward { get; init; }
    public double ShapedReward { get; init; }
    public double? GoldReward { get; init; }

    // Energy loss at the probe site: policy on its rollouts (ΔE_RL), SFT reference (ΔE_SFT), |ΔE_SFT − ΔE_RL|.
    public double EnergyRl { get; init; }
    public double EnergySft { get; init; }
    public double EnergyPenalty { get; init; }
    public double EnergyRlStd { get; init; }
    /// <summary>Share of responses whose energy departs from the SFT reference by more than the alarm's k standard deviations.</summary>
    public double HackingAlarmShare { get; init; }
    /// <summary>The same share at each k of the alarm's grid; null in histories recorded before it was kept.</summary>
    public AlarmShares? HackingAlarmShares { get; init; }

    public double Kl { get; init; }
    public double KlBeta { get; init; }
    public double ResponseLength { get; init; }
    public double PolicyLoss { get; init; }
    public double ValueLoss { get; init; }
    public double ClipFraction { get; init; }
    public double Entropy { get; init; }

    public double GenerateSeconds { get; init; }
    public double ScoreSeconds { get; init; }
    public double EnergyReferenceSeconds { get; init; }
    public double LearnSeconds { get; init; }
    public double IterationSeconds { get; init; }
    public double RolloutTokensPerSecond { get; init; }
    public double EnergyCacheHitRatio { get; init; }

    /// <summary>Where the checkpoint written after this iteration lives (an artifact location); null when none was.</summary>
    public string? Checkpoint { get; init; }
}
