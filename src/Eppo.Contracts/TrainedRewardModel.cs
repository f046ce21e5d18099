namespace Eppo.Contracts;

/// <summary>
/// One reward model a run's preparation trained (or averaged): its role ("proxy", "member 2/4", "warm ingredient 1/4",
/// "warm average", "odin", "inform"), its held-out accuracy against the task's exact labels (null when the task has
/// none) and what its kind measures beyond that (ODIN: each head's correlation with length).
/// </summary>
public sealed record TrainedRewardModel(string Role, double? HeldOutAccuracy, IReadOnlyDictionary<string, double> Figures)
{
    /// <summary>The silo whose trainer grain produced (or found) it; null in process.</summary>
    public string? TrainedOn { get; init; }
}
