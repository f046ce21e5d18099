using Eppo.Contracts.Messages;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// Hosts a copy of the policy (key: "{runId}/{index}"); fetches weights from the learner when its version is newer,
/// then samples responses. Model-bearing: placed on silos that advertise model capacity.
/// </summary>
[Alias("eppo.IRolloutGeneratorGrain")]
public interface IRolloutGeneratorGrain : IGrainWithStringKey
{
    [Alias("Generate"), ResponseTimeout("00:10:00")] Task<Rollout> GenerateAsync(GenerateRequest request);
    /// <summary>Takes policy version <paramref name="policyVersion"/> from the learner now (overlap: before the learner moves on).</summary>
    [Alias("HoldPolicy"), ResponseTimeout("00:10:00")] Task HoldPolicyAsync(RunContext run, int policyVersion);
    /// <summary>Deactivates when idle, freeing the model (the run has ended).</summary>
    [Alias("Retire")] Task RetireAsync();
    /// <summary>
    /// Moves when idle to where placement puts it now (Orleans grain migration), e.g. onto a silo that joined. Not a
    /// plain deactivation: a caller whose directory cache still names the old silo would re-create it right there.
    /// </summary>
    [Alias("Move")] Task MoveAsync();
}
