namespace Eppo.Grains.Interfaces;

/// <summary>
/// Hosts a copy of the policy (key: "{runId}/{index}"); fetches weights from the learner when its version is newer,
/// then samples responses. Model-bearing: placed on silos that advertise model capacity.
/// </summary>
[Alias("eppo.IRolloutGeneratorGrain")]
public interface IRolloutGeneratorGrain : IGrainWithStringKey
{
    [Alias("Generate"), ResponseTimeout("00:10:00")] Task<Rollout> GenerateAsync(GenerateRequest request);
    /// <summary>Deactivates when idle, so the next call places it afresh (new silos get a share after membership changed).</summary>
    [Alias("Retire")] Task RetireAsync();
}
