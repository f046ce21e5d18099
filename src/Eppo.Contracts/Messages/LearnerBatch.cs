using Orleans;

namespace Eppo.Contracts.Messages;

/// <summary>One rollout batch as the learner receives it, in process or as a grain message: arrays only.</summary>
[GenerateSerializer, Immutable, Alias("eppo.LearnerBatch")]
public sealed record LearnerBatch(
    int Iteration,
    int[][] Prompts,
    int[][] Responses,
    float[] Scores,          // r from the reward function, (B)
    float[] EnergyRl,        // ΔE_RL: the policy's energy on its rollout, (B)
    float[] EnergySft,       // ΔE_SFT: the SFT model's energy on its own greedy answer, (B)
    float[]? ReferenceScores = null,           // r_ref: the reward source's score of that answer, (B); PAR only
    float[][]? ReferenceModuleEnergies = null, // the SFT model's output energy per final-MLP linear on that answer, (M × B); the official energy definition only
    float[][]? BehaviourLogProbs = null)       // log π of each response token under the version that sampled it, (B × its length); overlap only
{
    public int Rows => Prompts.Length;
}
