using Eppo.Core;
using Eppo.Core.Training;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>Scores responses with the run's reward model (or the gold judge).</summary>
[ModelHostPlacement]
public sealed class RewardScorerGrain(IArtifactStore artifacts) : Grain, IRewardScorerGrain
{
    IRewardFunction? reward;

    async Task<float[]> IRewardScorerGrain.ScoreAsync(RunContext run, int[][] promptTokens, int[][] responseTokens)
    {
        if (reward is null)
        {
            var rewardPath = await artifacts.LocalPathAsync(run.RewardPath);
            reward = await ComputeThreads.RunAsync(() => ModelPreparation.RewardFunction(rewardPath, TaskCodec.HackBench()));
        }
        return await ComputeThreads.RunAsync(() => reward.Score(promptTokens, responseTokens));
    }

    Task IRewardScorerGrain.RetireAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    Task IRewardScorerGrain.MoveAsync()
    {
        MigrateOnIdle();
        return Task.CompletedTask;
    }
}
