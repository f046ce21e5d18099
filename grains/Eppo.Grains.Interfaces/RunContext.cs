namespace Eppo.Grains.Interfaces;

/// <summary>
/// What every stage grain needs to know about its run: the spec and where its models live. A stage grain reads it on
/// its first call and keeps what it read for the activation.
/// </summary>
[GenerateSerializer, Immutable, Alias("eppo.RunContext")]
public sealed record RunContext
{
    [Id(0)] public required string RunId { get; init; }
    /// <summary>The spec as stored at run start: validated then, its files named by their artifact locations.</summary>
    [Id(1)] public required string SpecJson { get; init; }
    [Id(2)] public required string SftPath { get; init; }
    /// <summary>One location per reward member: a reward-model artifact, or "gold" for the task's judge.</summary>
    [Id(4)] public required IReadOnlyList<string> RewardPaths { get; init; }
}
