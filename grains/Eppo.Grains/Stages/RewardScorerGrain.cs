using Eppo.Core.Training;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>Scores responses with the run's reward model (or the gold judge).</summary>
[ModelHostPlacement]
public sealed class RewardScorerGrain : Grain, IRewardScorerGrain
{
    IRewardFunction? reward;

    async Task<float[]> IRewardScorerGrain.ScoreAsync(RunContext run, int[][] promptTokens, int[][] responseTokens)
    {
        reward ??= await Task.Run(() => ModelPreparation.RewardFunction(run.RewardPath, TaskCodec.HackBench()));
        return await Task.Run(() => reward.Score(promptTokens, responseTokens));
    }
}
