namespace Eppo.Grains.Interfaces;

/// <summary>Where a run's SFT policy and reward models live, and what training them measured.</summary>
[GenerateSerializer, Immutable, Alias("eppo.PreparedModels")]
public sealed record PreparedModels
{
    [Id(0)] public required string SftPath { get; init; }
    /// <summary>One location per reward member: an artifact, or "gold" for the task's judge.</summary>
    [Id(5)] public required IReadOnlyList<string> RewardPaths { get; init; }
    /// <summary>Held-out accuracy of each trained reward member (empty when none was trained).</summary>
    [Id(6)] public IReadOnlyList<double> RewardHeldOutAccuracies { get; init; } = [];
    [Id(3)] public double SftSeconds { get; init; }
    [Id(4)] public double RewardSeconds { get; init; }
}
