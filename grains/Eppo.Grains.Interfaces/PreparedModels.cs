namespace Eppo.Grains.Interfaces;

/// <summary>Where a run's SFT policy and reward model live, and what training them measured.</summary>
[GenerateSerializer, Immutable, Alias("eppo.PreparedModels")]
public sealed record PreparedModels
{
    [Id(0)] public required string SftPath { get; init; }
    /// <summary>A checkpoint directory, or "gold" for the programmatic judge.</summary>
    [Id(1)] public required string RewardPath { get; init; }
    [Id(2)] public double? RewardHeldOutAccuracy { get; init; }
    [Id(3)] public double SftSeconds { get; init; }
    [Id(4)] public double RewardSeconds { get; init; }
}
