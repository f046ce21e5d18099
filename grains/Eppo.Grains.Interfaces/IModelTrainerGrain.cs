using Eppo.Contracts.Messages;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// Trains what a run spec says to train before RL ("train" sources). Prepare (key: the spec's cache key, so concurrent
/// runs that share models train them once) trains the SFT policy, then hands each reward model to its own trainer
/// grain (key: "reward-{member key}"), so the members of an ensemble or WARM train in parallel across silos.
/// </summary>
[Alias("eppo.IModelTrainerGrain")]
public interface IModelTrainerGrain : IGrainWithStringKey
{
    [Alias("Prepare"), ResponseTimeout("02:00:00")] Task<PreparedModels> PrepareAsync(string specJson);

    /// <summary>Trains (or finds) reward model <paramref name="member"/> of the spec's reward plan on the SFT policy at <paramref name="sftLocation"/>.</summary>
    [Alias("TrainReward"), ResponseTimeout("02:00:00")] Task<TrainedMember> TrainRewardAsync(string specJson, string sftLocation, int member);
}
