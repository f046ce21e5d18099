using Eppo.Contracts;

namespace Eppo.Experiments;

/// <summary>
/// A trained run as evaluation needs it: its whole history, and local directories of its SFT policy, its reward
/// models (<see cref="RewardSpec.Gold"/> stays as it is) and the actor of each checkpoint, by iterations completed.
/// </summary>
public sealed record TrainedRun(RunSpec Spec, string Label, RunStatus Status, IReadOnlyList<IterationMetrics> History, string SftPath,
    IReadOnlyList<string> RewardPaths, IReadOnlyList<(int Iteration, string Actor)> Checkpoints)
{
    /// <summary>The final policy: the actor of the checkpoint at the last iteration.</summary>
    public string FinalActor => Checkpoints.Last(c => c.Iteration == Status.Iteration).Actor;

    /// <summary>The run whose reward model(s) score every policy of a seed in evaluation: the first on the plain Bradley–Terry reward model(s), else the first.</summary>
    public static TrainedRun ProxyOf(IReadOnlyList<TrainedRun> runs) =>
        runs.FirstOrDefault(r => r.Spec.Reward.Source == RewardSpec.Train && r.Spec.TrainingMethod.RewardModel == RewardModelKind.BradleyTerry) ?? runs[0];
}
