namespace Eppo.Grains.Interfaces;

/// <summary>Everything the learner needs for one PPO iteration: rollouts, RM scores and the SFT reference energy.</summary>
[GenerateSerializer, Immutable, Alias("eppo.Experience")]
public sealed record Experience
{
    [Id(0)] public required int Iteration { get; init; }
    [Id(1)] public required int[][] PromptTokens { get; init; }
    [Id(2)] public required int[][] ResponseTokens { get; init; }
    [Id(3)] public required float[] Scores { get; init; }
    [Id(4)] public required float[] EnergyRl { get; init; }
    [Id(5)] public required float[] EnergySft { get; init; }
    /// <summary>r_ref: the reward source's score of the SFT answer to each prompt (PAR only; empty otherwise).</summary>
    [Id(6)] public float[] ReferenceScores { get; init; } = [];
    /// <summary>The SFT model's greedy answer to each prompt (energy_definition "official" only; null otherwise).</summary>
    [Id(7)] public int[][]? ReferenceAnswers { get; init; }
}
