using Eppo.Contracts.Messages;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Runs;

/// <summary>
/// A run's persisted record. <see cref="CommittedIteration"/> is the iteration of the last checkpoint: after a crash
/// the run goes back there, so no iteration is lost or applied twice. Its size does not grow with the run: the
/// per-iteration metrics live in the run's history file (<see cref="History.IRunHistoryStore"/>).
/// </summary>
[GenerateSerializer, Alias("eppo.RunGrainState")]
public sealed class RunGrainState
{
    [Id(0)] public string? SpecJson { get; set; }
    [Id(1)] public RunState State { get; set; }
    [Id(2)] public string? Reason { get; set; }
    [Id(3)] public int Iteration { get; set; }
    [Id(4)] public int CommittedIteration { get; set; }
    [Id(5)] public int PolicyVersion { get; set; }
    [Id(6)] public string? LastCheckpoint { get; set; }
    [Id(8)] public DateTimeOffset CreatedAt { get; set; }
    [Id(9)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(10)] public string Stage { get; set; } = "";
    [Id(11)] public PreparedModels? Models { get; set; }
    [Id(12)] public bool HackingAlarm { get; set; }

    public RunStatus ToStatus(string runId, RunSpec spec, IReadOnlyList<IterationMetrics> tail, int failedAttempts,
        IReadOnlyList<string> generatorHosts, IReadOnlyList<string> modelHosts, LearnerReplicas learners) => new()
    {
        RunId = runId, Name = spec.Name, Method = spec.Method, State = State, Reason = Reason, Stage = Stage,
        Iteration = Iteration, TotalIterations = spec.Iterations, PolicyVersion = PolicyVersion, LastCheckpoint = LastCheckpoint,
        Latest = tail.LastOrDefault(), History = tail, CreatedAt = CreatedAt, UpdatedAt = UpdatedAt, HackingAlarm = HackingAlarm,
        SftPath = Models?.SftPath, RewardPaths = Models?.RewardPaths ?? [], RewardHeldOutAccuracies = Models?.RewardHeldOutAccuracies ?? [],
        RewardModels = Models?.RewardModels ?? [],
        RewardHeldOutAccuracy = Models?.RewardHeldOutAccuracies is { Count: > 0 } a ? a.Average() : null,
        FailedAttempts = failedAttempts, GeneratorHosts = generatorHosts, ModelHosts = modelHosts,
        LearnerHosts = spec.LearnerReplicas > 1 ? learners.Hosts : [], LearnerShortfall = spec.LearnerReplicas > 1 ? learners.Shortfall : null,
    };
}
