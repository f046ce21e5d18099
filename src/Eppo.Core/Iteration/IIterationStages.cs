using Eppo.Contracts.Messages;
using Eppo.Contracts;

namespace Eppo.Core.Iteration;

/// <summary>
/// The stages of one RL iteration, as <see cref="IterationDriver"/> calls them. In-process (<see cref="LocalStages"/>)
/// they are direct calls; in the cluster they are grain calls. Arrays only: what crosses here may cross a grain boundary.
/// </summary>
public interface IIterationStages
{
    /// <summary>The iteration's prompts, shard by shard (a pure function of seed and iteration).</summary>
    Task<PromptBatch> PromptsAsync(int iteration);

    /// <summary>Sampled responses and the policy's energy loss ΔE_RL on each, from policy version <paramref name="policyVersion"/>.</summary>
    Task<Rollout> GenerateAsync(int iteration, PromptBatch prompts, int policyVersion);

    /// <summary>
    /// Overlap: the generators take policy version <paramref name="policyVersion"/> (the learner's current one) now,
    /// before the learner moves on, so the next iteration's rollouts can be sampled from it while it learns.
    /// </summary>
    Task HoldPolicyAsync(int policyVersion);

    /// <summary>Scores of every reward member, one array (B) per member, in member order.</summary>
    Task<float[][]> ScoreAsync(int[][] prompts, int[][] responses);

    /// <summary>ΔE_SFT per prompt (the SFT model's energy on its own greedy answer), that answer, and how many came from the cache.</summary>
    Task<ReferenceEnergies> ReferenceEnergyAsync(string[] promptIds, int[][] prompts);

    /// <summary>PAR: the combined scores of the prompts' SFT answers, kept by the energy reference beside them.</summary>
    Task StoreReferenceScoresAsync(string[] promptIds, float[] scores);

    Task<IterationMetrics> LearnAsync(LearnerBatch batch);

    /// <summary>Makes everything up to the last learned iteration durable (a checkpoint).</summary>
    Task CommitAsync();
}
