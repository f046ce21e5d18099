using Eppo.Core;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>Scores responses with one member of the run's reward source: a reward model, or the task's gold judge.</summary>
[ModelHostPlacement]
public sealed class RewardScorerGrain(IArtifactStore artifacts, RunInputs inputs) : Grain, IRewardScorerGrain
{
    IRewardFunction? reward;

    async Task<float[]> IRewardScorerGrain.ScoreAsync(RunContext run, int member, int[][] promptTokens, int[][] responseTokens)
    {
        if (reward is null)
        {
            var location = run.RewardPaths[member];
            var local = location == RewardSpec.Gold ? location : await artifacts.LocalPathAsync(location);
            var task = (await inputs.ResolveAsync(run)).Task;
            reward = await ComputeThreads.RunAsync(() => RewardSources.Member(local, task));
        }
        return await ComputeThreads.RunAsync(() => reward.Score(promptTokens, responseTokens));
    }

    Task IRewardScorerGrain.RetireAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>Frees the reward model's native memory with the activation (a retired or moved scorer).</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellation)
    {
        if (reward is IDisposable held) await ComputeThreads.RunAsync(held.Dispose);
        reward = null;
    }

    Task IRewardScorerGrain.MoveAsync()
    {
        MigrateOnIdle();
        return Task.CompletedTask;
    }
}
