using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Preparation;

namespace Eppo.Core.Iteration;

/// <summary>
/// A reward source is one or more members — reward-model checkpoints, or the task's gold judge — whose scores are
/// combined into one per response (<see cref="RewardCombination"/>). Each member is scored on its own (in the cluster,
/// by its own scorer grains), then <see cref="Combine"/> makes the score the learner sees.
/// </summary>
public static class RewardSources
{
    /// <summary>The scorer of one member: <see cref="RewardSpec.Gold"/> is the task's judge, anything else a reward-model directory.</summary>
    public static IRewardFunction Member(string location, ITrainingTask task)
    {
        if (location == RewardSpec.Gold)
            return task.Gold ?? throw new EppoException($"reward.source: task '{task.Name}' has no gold judge");
        var shared = FrozenModels.Acquire(location);
        var extra = ModelStore.Extra(location);
        return new RewardModelScorer(shared, task.Codec, new RewardNormalization(extra.GetValueOrDefault("norm_mean", 0), extra.GetValueOrDefault("norm_std", 1)));
    }

    /// <summary>The whole source in one process (evaluation): every member loaded, scores combined.</summary>
    public static IRewardFunction Load(IReadOnlyList<string> locations, RewardCombination combination, ITrainingTask task, double uwoLambda = 0) =>
        new Combined(locations.Select(l => Member(l, task)).ToArray(), combination, uwoLambda);

    /// <summary>The spec's reward source in one process: its scoring members at <paramref name="locations"/>, combined as the spec says.</summary>
    public static IRewardFunction Load(IReadOnlyList<string> locations, RunSpec spec, ITrainingTask task) =>
        Load(locations, spec.RewardCombination, task, spec.Reward.UwoLambda);

    sealed class Combined(IRewardFunction[] members, RewardCombination combination, double uwoLambda) : IRewardFunction, IDisposable
    {
        public float[] Score(int[][] prompts, int[][] responses) => Combine(combination, members.Select(m => m.Score(prompts, responses)).ToArray(), uwoLambda);

        public void Dispose()
        {
            foreach (var member in members) (member as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// memberScores[m] (B) → (B): one member as it is; mean; minimum (WCO); or mean − λ·variance (UWO, the population
    /// variance over members). Member scores are already standardised (each reward model by its SFT-sample statistics).
    /// </summary>
    public static float[] Combine(RewardCombination combination, IReadOnlyList<float[]> memberScores, double uwoLambda = 0)
    {
        if (memberScores.Count == 0) throw new EppoException("reward source: no member scored");
        var batch = memberScores[0].Length;
        if (memberScores.Any(s => s.Length != batch)) throw new EppoException("reward source: members scored different numbers of responses");
        return combination switch
        {
            RewardCombination.Single when memberScores.Count == 1 => memberScores[0],
            RewardCombination.Single => throw new EppoException($"reward source: 'single' combination got {memberScores.Count} members"),
            RewardCombination.Mean => Enumerable.Range(0, batch).Select(b => (float)memberScores.Average(s => (double)s[b])).ToArray(),
            RewardCombination.Min => Enumerable.Range(0, batch).Select(b => memberScores.Min(s => s[b])).ToArray(),
            RewardCombination.Uwo => Enumerable.Range(0, batch).Select(b =>
            {
                var mean = memberScores.Average(s => (double)s[b]);
                var variance = memberScores.Average(s => (s[b] - mean) * (s[b] - mean));
                return (float)(mean - uwoLambda * variance);
            }).ToArray(),
            _ => throw new EppoException($"reward source: unknown combination {combination}"),
        };
    }
}
