
namespace Eppo.Contracts;

/// <summary>
/// A run as the console sees it: lifecycle, progress, where its models and last checkpoint are, the latest metrics and
/// the last <c>RunHistory.TailSize</c> iterations for charts (`eppo run history` reads all of them).
/// </summary>
public sealed record RunStatus
{
    public required string RunId { get; init; }
    public string Name { get; init; } = "";
    public string Method { get; init; } = "";
    public RunState State { get; init; }
    public string? Reason { get; init; }
    /// <summary>Failed attempts in a row of the current iteration while the run retries a transient failure (0 otherwise).</summary>
    public int FailedAttempts { get; init; }
    public int Iteration { get; init; }
    public int TotalIterations { get; init; }
    public int PolicyVersion { get; init; }
    public string? LastCheckpoint { get; init; }
    public IterationMetrics? Latest { get; init; }
    /// <summary>
    /// The latest iterations (a bounded tail, oldest first). Empty in the statuses a run pushes to its watchers
    /// (IRunObserver), which carry only <see cref="Latest"/>.
    /// </summary>
    public IReadOnlyList<IterationMetrics> History { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string Stage { get; init; } = "";
    public bool HackingAlarm { get; init; }
    /// <summary>Mean held-out accuracy of the trained reward members (null when none was trained).</summary>
    public double? RewardHeldOutAccuracy { get; init; }
    public IReadOnlyList<double> RewardHeldOutAccuracies { get; init; } = [];
    /// <summary>Every reward model trained for the run, with its role and held-out figures (WARM's ingredients included).</summary>
    public IReadOnlyList<TrainedRewardModel> RewardModels { get; init; } = [];
    /// <summary>The SFT policy's location (null until models are prepared).</summary>
    public string? SftPath { get; init; }
    /// <summary>One location per reward member, or "gold" (empty until models are prepared).</summary>
    public IReadOnlyList<string> RewardPaths { get; init; } = [];
    /// <summary>The silo of each generator in the last iteration this activation ran (empty before its first).</summary>
    public IReadOnlyList<string> GeneratorHosts { get; init; } = [];
    /// <summary>The silos that can host model-bearing grains, as the run grain saw them before its last iteration.</summary>
    public IReadOnlyList<string> ModelHosts { get; init; } = [];
    /// <summary>The silo of each learner replica, replica 0 first, as the run grain last saw them (empty with one learner).</summary>
    public IReadOnlyList<string> LearnerHosts { get; init; } = [];
    /// <summary>Why fewer learner replicas run than the spec asks for (null when all do).</summary>
    public string? LearnerShortfall { get; init; }
}
