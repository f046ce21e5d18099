using Eppo.Core.Runs;

namespace Eppo.Grains.Interfaces;

/// <summary>A run as the console sees it: lifecycle, progress, the latest metrics and a short history for charts.</summary>
[GenerateSerializer, Immutable, Alias("eppo.RunStatus")]
public sealed record RunStatus
{
    [Id(0)] public required string RunId { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public string Method { get; init; } = "";
    [Id(3)] public RunState State { get; init; }
    [Id(4)] public string? Reason { get; init; }
    [Id(5)] public int Iteration { get; init; }
    [Id(6)] public int TotalIterations { get; init; }
    [Id(7)] public int PolicyVersion { get; init; }
    [Id(8)] public string? LastCheckpoint { get; init; }
    [Id(9)] public IterationMetrics? Latest { get; init; }
    [Id(10)] public IReadOnlyList<IterationMetrics> History { get; init; } = [];
    [Id(11)] public DateTimeOffset CreatedAt { get; init; }
    [Id(12)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(13)] public string Stage { get; init; } = "";
    [Id(14)] public bool HackingAlarm { get; init; }
    [Id(15)] public double? RewardHeldOutAccuracy { get; init; }
    /// <summary>The silo of each generator in the last iteration this activation ran (empty before its first).</summary>
    [Id(16)] public IReadOnlyList<string> GeneratorHosts { get; init; } = [];
    /// <summary>The silos that can host model-bearing grains, as the run grain saw them before its last iteration.</summary>
    [Id(17)] public IReadOnlyList<string> ModelHosts { get; init; } = [];
}
