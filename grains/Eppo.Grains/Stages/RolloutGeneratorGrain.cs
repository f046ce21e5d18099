using Eppo.Contracts.Messages;
using Eppo.Core;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>
/// Samples rollouts from a policy version (a policy copy, or the silo's shared base plus the version's adapter); pulls
/// the version's tensors from the learner when the requested version differs.
/// </summary>
[ModelHostPlacement]
public sealed class RolloutGeneratorGrain(IArtifactStore artifacts, RunInputs inputs) : Grain, IRolloutGeneratorGrain
{
    RolloutWorker? worker;
    bool overlapped;  // the run samples ahead: rollouts carry their log-probs

    async Task<Rollout> IRolloutGeneratorGrain.GenerateAsync(GenerateRequest request)
    {
        var current = await HoldAsync(request.Run, request.PolicyVersion);
        var result = await ComputeThreads.RunAsync(() => current.Generate(request.Prompts.Tokens, request.Seed));
        return new Rollout(result.Responses, result.MeanEnergy, RuntimeIdentity, overlapped ? result.LogProbs : null, current.Version);
    }

    Task IRolloutGeneratorGrain.HoldPolicyAsync(RunContext run, int policyVersion) => HoldAsync(run, policyVersion);

    /// <summary>The worker, holding <paramref name="version"/>: fetched from the learner when it holds another.</summary>
    async Task<RolloutWorker> HoldAsync(RunContext run, int version)
    {
        if (worker is null)
        {
            var resolved = await inputs.ResolveAsync(run);
            var sftPath = await artifacts.LocalPathAsync(run.SftPath);
            overlapped = resolved.Spec.Overlapped;
            worker = await ComputeThreads.RunAsync(() => RolloutWorker.For(sftPath, resolved.Task.Codec, resolved.Spec));
        }
        var current = worker;
        if (current.Version != version)
        {
            var learner = GrainFactory.GetGrain<ILearnerGrain>(run.RunId);
            var policy = await learner.GetPolicyAsync(current.Version);
            if (policy.Version != version || policy.Chunks == 0)
                throw new StageStateLostException($"generator wanted policy version {version}, the learner has {policy.Version}");
            var weights = await PolicyTransfer.FetchAsync(learner, policy);
            await ComputeThreads.RunAsync(() => current.LoadWeights(weights, policy.Version));
        }
        return current;
    }

    Task IRolloutGeneratorGrain.RetireAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>Frees the policy copy's native memory with the activation (a retired or moved generator).</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellation)
    {
        if (worker is { } held) await ComputeThreads.RunAsync(held.Dispose);
        worker = null;
    }

    Task IRolloutGeneratorGrain.MoveAsync()
    {
        MigrateOnIdle();
        return Task.CompletedTask;
    }
}
