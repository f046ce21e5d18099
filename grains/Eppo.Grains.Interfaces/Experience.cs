namespace Eppo.Grains.Interfaces;

/// <summary>Everything the learner needs for one PPO iteration: rollouts, RM scores and the SFT reference energy.</summary>
[GenerateSerializer, Immutable, Alias("eppo.Experience")]
public sealed record Experience
{
    [Id(0)] public required int Iteration { get; init; }
    [Id(1)] public required Rollout Rollout { get; init; }
    [Id(2)] public required float[] Scores { get; init; }
    [Id(3)] public required float[][] ReferenceEnergy { get; init; }
    [Id(4)] public float[]? GoldScores { get; init; }
}
