using Eppo.Core.Evaluation;
using Eppo.Contracts;

namespace Eppo.Experiments;

/// <summary>
/// One method trained with one seed. Method: "ppo", "ppo-kl", "ppo-lp", "eppo", "eppo-kl" (any name works; the report
/// orders these five first). History: the per-iteration metrics in order (IterationMetrics.Iteration 0-based; the
/// metrics of iteration i describe rollouts of policy version i). Checkpoints: evaluations of intermediate actors
/// (Figure 5), in any order. Final: the evaluation of the final actor, paired with the seed's SFT baseline.
/// RewardModels: the reward models the run's preparation trained, with their held-out figures.
/// </summary>
public sealed record MethodRunResult(
    string Method,
    int Seed,
    IReadOnlyList<IterationMetrics> History,
    IReadOnlyList<CheckpointEvaluation> Checkpoints,
    PolicyEvaluation Final,
    IReadOnlyList<TrainedRewardModel>? RewardModels = null)
{
    /// <summary>Iterations completed = the final policy's version; the x of the final policy in Figure 5.</summary>
    public int FinalIteration => History.Count == 0 ? 0 : History[^1].Iteration + 1;

    /// <summary>Checkpoints and the final policy by iteration, the final one replacing a checkpoint of the same iteration.</summary>
    public IReadOnlyList<CheckpointEvaluation> Trajectory() =>
        Checkpoints.Where(c => c.Iteration != FinalIteration)
            .Append(new CheckpointEvaluation(FinalIteration, Final))
            .OrderBy(c => c.Iteration)
            .ToArray();
}
