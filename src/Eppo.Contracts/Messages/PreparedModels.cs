using Orleans;

namespace Eppo.Contracts.Messages;

/// <summary>
/// Where a run's SFT policy and reward models live (artifact locations: a directory, or "blob:…" in the azure
/// profile), and what training them measured. Kept in the run grain's persisted state: the ids are its storage
/// format, so they never change meaning. Settable, not init-only: the codec is generated in another assembly
/// (the grain interfaces), which cannot set init-only properties.
/// </summary>
[GenerateSerializer, Immutable, Alias("eppo.PreparedModels")]
public sealed record PreparedModels
{
    [Id(0)] public string SftPath { get; set; } = "";
    /// <summary>One location per scoring reward member: a checkpoint, or "gold" for the task's judge.</summary>
    [Id(5)] public IReadOnlyList<string> RewardPaths { get; set; } = [];
    /// <summary>Held-out accuracy of each trained scoring member (empty when none was trained).</summary>
    [Id(6)] public IReadOnlyList<double> RewardHeldOutAccuracies { get; set; } = [];
    /// <summary>Every reward model trained for the run (WARM's ingredients and average included).</summary>
    [Id(7)] public IReadOnlyList<TrainedRewardModel> RewardModels { get; set; } = [];
    [Id(3)] public double SftSeconds { get; set; }
    [Id(4)] public double RewardSeconds { get; set; }
}
