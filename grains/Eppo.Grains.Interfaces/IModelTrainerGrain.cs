namespace Eppo.Grains.Interfaces;

/// <summary>
/// Trains what a run spec says to train before RL ("train" sources): the SFT policy, then the proxy reward model.
/// Keyed by the cache key of the spec's model sections and seed, so concurrent runs that share models train them once.
/// </summary>
[Alias("eppo.IModelTrainerGrain")]
public interface IModelTrainerGrain : IGrainWithStringKey
{
    [Alias("Prepare"), ResponseTimeout("02:00:00")] Task<PreparedModels> PrepareAsync(string specJson);
}
