namespace Eppo.Grains.Interfaces;

/// <summary>Where a run's SFT policy and reward models live, and what training them measured.</summary>
[GenerateSerializer, Immutable, Alias("eppo.PreparedModels")]
public sealed record PreparedModels
{
    [Id(0)] public required string SftPath { get; init; }
    /// <summary>One location per scoring reward member: an artifact, or "gold" for the task's judge.</summary>
    [Id(5)] public required IReadOnlyList<string> RewardPaths { get; init; }
    /// <summary>Held-out accuracy of each trained scoring member (empty when none was trained).</summary>
    [Id(6)] public IReadOnlyList<double> RewardHeldOutAccuracies { get; init; } = [];
    /// <summary>Every reward model trained for the run (WARM's ingredients and average included).</summary>
    [Id(7)] public IReadOnlyList<Contracts.TrainedRewardModel> RewardModels { get; init; } = [];
    [Id(3)] public double SftSeconds { get; init; }
    [Id(4)] public double RewardSeconds { get; init; }
}
