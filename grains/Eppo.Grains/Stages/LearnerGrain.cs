using Eppo.Contracts.Messages;
using Eppo.Core.Learning;
using Eppo.Core;
using Eppo.Core.Checkpoints;
using Eppo.Contracts;
using Eppo.Grains.Artifacts;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.Preparation;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace Eppo.Grains.Stages;

/// <summary>
/// Hosts the PPO learner of one run; checkpoints under {DataRoot}/{runId}/checkpoints/iter-NNNNNN (local profile) or
/// published to the artifact store under a fresh name per checkpoint (azure profile).
/// </summary>
[ModelHostPlacement]
public sealed class LearnerGrain(IOptions<EppoSiloOptions> options, IArtifactStore artifacts, RunInputs inputs) : Grain, ILearnerGrain
{
    LocalRun? local;  // read once per activation
    PpoLearner? learner;
    ChunkedBytes? published;  // the current version's safetensors bytes, written once per version
    int publishedVersion = -1;

    async Task<int> ILearnerGrain.InitializeAsync(RunContext run, string? checkpoint, int iterationsDone)
    {
        if (learner is not null && learner.IterationsDone == iterationsDone) return learner.PolicyVersion;
        var resolved = local ??= await inputs.ResolveAsync(run);
        var spec = resolved.Spec;
        var sftPath = await artifacts.LocalPathAsync(run.SftPath);
        var checkpointPath = checkpoint is null ? null : await artifacts.LocalPathAsync(checkpoint);
        var previous = learner;
        learner = null;  // never left pointing at a disposed learner, even when loading fails
        learner = await ComputeThreads.RunAsync(() =>
        {
            previous?.Dispose();
            var sft = FrozenModels.Acquire(sftPath, WeightDtypes.Of(spec));  // full fine-tuning copies it, adapters keep it
            var fresh = new PpoLearner(spec, resolved.Task.Codec, sft, sftPath);
            try
            {
                if (checkpointPath is not null) fresh.Load(checkpointPath);
                return fresh;
            }
            catch
            {
                fresh.Dispose();  // a corrupt checkpoint must not leak a learner's worth of native memory
                throw;
            }
        });
        if (learner.IterationsDone != iterationsDone)
            throw new EppoException($"checkpoint {checkpoint} holds {learner.IterationsDone} iterations, the run expected {iterationsDone}");
        published = null;
        publishedVersion = -1;
        return learner.PolicyVersion;
    }

    async Task<IterationMetrics> ILearnerGrain.LearnAsync(LearnerBatch batch)
    {
        var current = Learner;
        // A replayed or duplicated call must never be applied on top of the state it already produced.
        if (batch.Iteration != current.IterationsDone)
            throw new StageStateLostException($"learner holds {current.IterationsDone} iterations; iteration {batch.Iteration} is out of step");
        return await ComputeThreads.RunAsync(() => current.Learn(batch));
    }

    async Task<PolicyWeights> ILearnerGrain.GetPolicyAsync(int haveVersion)
    {
        var current = Learner;
        if (haveVersion == current.PolicyVersion) return new PolicyWeights { Version = current.PolicyVersion };
        // Written once per version, tensor by tensor into chunks: every generator asks for the same bytes.
        if (publishedVersion != current.PolicyVersion)
        {
            var chunkBytes = options.Value.WeightChunkBytes;
            published = await ComputeThreads.RunAsync(() => current.PolicyChunks(chunkBytes));
            publishedVersion = current.PolicyVersion;
        }
        return new PolicyWeights
        {
            Version = publishedVersion, TotalBytes = published!.Length, ChunkBytes = published.ChunkBytes,
            Chunks = published.Chunks.Count, Sha256 = published.Sha256,
        };
    }

    Task<byte[]> ILearnerGrain.GetPolicyChunkAsync(int version, int index)
    {
        if (published is null || version != publishedVersion)
            throw new StageStateLostException($"policy version {version} is no longer published (the learner has {publishedVersion})");
        if (index < 0 || index >= published.Chunks.Count) throw new StageStateLostException($"policy version {version} has no chunk {index}");
        return Task.FromResult(published.Chunks[index]);
    }

    async Task<string> ILearnerGrain.CheckpointAsync(int iterationsDone)
    {
        var current = Learner;
        if (current.IterationsDone != iterationsDone)
            throw new StageStateLostException($"learner holds {current.IterationsDone} iterations; the run is committing {iterationsDone}");
        var name = $"{this.GetPrimaryKeyString()}/checkpoints/iter-{current.IterationsDone:D6}";
        if (!artifacts.IsRemote)
        {
            var dir = Path.Combine(options.Value.DataRoot, name);
            await ComputeThreads.RunAsync(() => current.Save(dir));
            return dir;
        }
        // A fresh name per checkpoint: an upload never overwrites what a committed pointer names.
        var unique = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];
        var scratch = Path.Combine(options.Value.DataRoot, "outgoing", unique);
        try
        {
            await ComputeThreads.RunAsync(() => current.Save(scratch));
            return await artifacts.PublishAsync(scratch, unique);
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Frees actor, critic, reference and optimizer state with the activation (a retired learner).</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellation)
    {
        if (learner is { } held) await ComputeThreads.RunAsync(held.Dispose);
        learner = null;
        published = null;
    }

    Task ILearnerGrain.RetireAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    PpoLearner Learner => learner ?? throw new StageStateLostException("learner not initialised (re-activated?): the run re-initialises it from its checkpoint");
}
