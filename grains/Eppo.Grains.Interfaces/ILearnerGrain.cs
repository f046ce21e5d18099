using Eppo.Core.Runs;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// Hosts actor, critic, their optimizers and the frozen SFT policy for KL (key: run id). Assembles the shaped reward
/// from the scorer's r, the reference ΔE_SFT and the rollout's ΔE_RL, runs the PPO epochs and publishes a new policy
/// version. Checkpoints hold weights, optimizer state, KL controller, reward statistics and the data cursor.
/// </summary>
[Alias("eppo.ILearnerGrain")]
public interface ILearnerGrain : IGrainWithStringKey
{
    /// <summary>Loads the SFT policy (fresh run) or a checkpoint (resume). Idempotent for the same arguments.</summary>
    [Alias("Initialize")] Task<int> InitializeAsync(string specJson, string? checkpoint);
    [Alias("Learn"), ResponseTimeout("00:30:00")] Task<IterationMetrics> LearnAsync(Experience experience);
    [Alias("Policy")] Task<PolicyWeights> GetPolicyAsync(int haveVersion);
    /// <summary>Writes a checkpoint atomically for the iterations done so far; returns its location.</summary>
    [Alias("Checkpoint")] Task<string> CheckpointAsync(int iterationsDone);
}
