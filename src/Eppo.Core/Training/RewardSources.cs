using Eppo.Contracts;
using Eppo.Core.Tasks;

namespace Eppo.Core.Training;

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
        var (rm, extra) = ModelStore.Load(location);
        return new RewardModelScorer(rm, task.Codec, new RewardNormalization(extra.GetValueOrDefault("norm_mean", 0), extra.GetValueOrDefault("norm_std", 1)));
    }

    /// <summary>The whole source in one process (evaluation): every member loaded, scores combined.</summary>
    public static IRewardFunction Load(IReadOnlyList<string> locations, RewardCombination combination, ITrainingTask task) =>
        new Combined(locations.Select(l => Member(l, task)).ToArray(), combination);

    sealed class Combined(IRewardFunction[] members, RewardCombination combination) : IRewardFunction, IDisposable
    {
        public float[] Score(int[][] prompts, int[][] responses) => Combine(combination, members.Select(m => m.Score(prompts, responses)).ToArray());

        public void Dispose()
        {
            foreach (var member in members) (member as IDisposable)?.Dispose();
        }
    }

    /// <summary>memberScores[m] (B) → (B).</summary>
    public static float[] Combine(RewardCombination combination, IReadOnlyList<float[]> memberScores)
    {
        if (memberScores.Count == 0) throw new EppoException("reward source: no member scored");
        var batch = memberScores[0].Length;
        if (memberScores.Any(s => s.Length != batch)) throw new EppoException("reward source: members scored different numbers of responses");
        return combination switch
        {
            RewardCombination.Single when memberScores.Count == 1 => memberScores[0],
            RewardCombination.Single => throw new EppoException($"reward source: 'single' combination got {memberScores.Count} members"),
            RewardCombination.Mean => Enumerable.Range(0, batch).Select(b => (float)memberScores.Average(s => (double)s[b])).ToArray(),
            _ => throw new EppoException($"reward source: unknown combination {combination}"),
        };
    }
}
