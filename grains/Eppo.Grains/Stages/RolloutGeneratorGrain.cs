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

    async Task<Rollout> IRolloutGeneratorGrain.GenerateAsync(GenerateRequest request)
    {
        if (worker is null)
        {
            var run = await inputs.ResolveAsync(request.Run);
            var sftPath = await artifacts.LocalPathAsync(request.Run.SftPath);
            worker = await ComputeThreads.RunAsync(() => RolloutWorker.For(sftPath, run.Task.Codec, run.Spec));
        }
        if (worker.Version != request.PolicyVersion)
        {
            var learner = GrainFactory.GetGrain<ILearnerGrain>(request.Run.RunId);
            var policy = await learner.GetPolicyAsync(worker.Version);
            if (policy.Version != request.PolicyVersion || policy.Chunks == 0)
                throw new StageStateLostException($"generator wanted policy version {request.PolicyVersion}, the learner has {policy.Version}");
            var weights = await PolicyTransfer.FetchAsync(learner, policy);
            await ComputeThreads.RunAsync(() => worker.LoadWeights(weights, policy.Version));
        }
        var result = await ComputeThreads.RunAsync(() => worker.Generate(request.Prompts.Tokens, request.Seed));
        return new Rollout(result.Responses, result.MeanEnergy, RuntimeIdentity);
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
