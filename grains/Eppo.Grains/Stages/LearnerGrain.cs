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
using System.Formats.Tar;
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
    ComputeLane? lane;  // a data-parallel replica's own compute thread, for the activation
    ChunkedBytes? state;  // this replica's whole state as last asked for by a replica that joins
    int stateIterations = -1;

    async Task<int> ILearnerGrain.InitializeAsync(RunContext run, string? checkpoint, int iterationsDone)
    {
        if (learner is not null && learner.IterationsDone == iterationsDone) return learner.PolicyVersion;
        var checkpointPath = checkpoint is null ? null : await artifacts.LocalPathAsync(checkpoint);
        await BuildAsync(run, checkpointPath);
        if (learner!.IterationsDone != iterationsDone)
            throw new EppoException($"checkpoint {checkpoint} holds {learner.IterationsDone} iterations, the run expected {iterationsDone}");
        return learner.PolicyVersion;
    }

    /// <summary>A new learner from the SFT policy, loaded from <paramref name="state"/> (a learner checkpoint directory) when given.</summary>
    async Task BuildAsync(RunContext run, string? state)
    {
        var resolved = local ??= await inputs.ResolveAsync(run);
        var spec = resolved.Spec;
        var sftPath = await artifacts.LocalPathAsync(run.SftPath);
        var previous = learner;
        learner = null;  // never left pointing at a disposed learner, even when loading fails
        learner = await ComputeThreads.RunAsync(() =>
        {
            previous?.Dispose();
            var sft = FrozenModels.Acquire(sftPath, WeightDtypes.Of(spec));  // full fine-tuning copies it, adapters keep it
            var fresh = new PpoLearner(spec, resolved.Task.Codec, sft, sftPath);
            try
            {
                if (state is not null) fresh.Load(state);
                return fresh;
            }
            catch
            {
                fresh.Dispose();  // a corrupt checkpoint must not leak a learner's worth of native memory
                throw;
            }
        });
        published = null;
        publishedVersion = -1;
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

    Task<ReplicaHeld> ILearnerGrain.HeldAsync() => Task.FromResult(new ReplicaHeld { IterationsDone = learner?.IterationsDone ?? -1, Host = RuntimeIdentity });

    async Task<IterationMetrics> ILearnerGrain.LearnReplicaAsync(LearnerBatch batch, ReplicaSlot slot)
    {
        var current = Learner;
        if (batch.Iteration != current.IterationsDone)
            throw new StageStateLostException($"learner replica {slot.Replica} holds {current.IterationsDone} iterations; iteration {batch.Iteration} is out of step");
        // The state this iteration starts from, in memory: a replica whose partner dies mid-iteration puts it back and the
        // survivors redo the iteration, with no checkpoint to roll back to.
        var start = await ComputeThreads.RunAsync(current.Snapshot);
        var exchange = GrainFactory.GetGrain<ILearnerExchangeGrain>(slot.Exchange);
        var bridge = new ExchangeBridge(exchange, slot);
        try
        {
            lane ??= new ComputeLane("eppo-learner-replica");
            return await bridge.RunAsync(lane, () => current.Learn(batch, new ReplicaShare(slot.Replica, slot.Replicas, batch.Rows), bridge));
        }
        catch (Exception e)
        {
            await ComputeThreads.RunAsync(() => current.Restore(start));
            try { await exchange.CloseAsync($"replica {slot.Replica} failed: {e.GetBaseException().Message}"); }
            catch (Exception) { /* the exchange's silo may be the one that went away; the run grain closes it too */ }
            throw;
        }
    }

    async Task<int> ILearnerGrain.CopyFromAsync(RunContext run, string peer, int iterationsDone)
    {
        if (learner is not null && learner.IterationsDone == iterationsDone) return learner.PolicyVersion;
        var source = GrainFactory.GetGrain<ILearnerGrain>(peer);
        var described = await source.GetStateAsync(iterationsDone);
        var what = $"learner state of {peer} after {iterationsDone} iterations";
        var bytes = await PolicyTransfer.FetchAsync(described, index => source.GetStateChunkAsync(iterationsDone, index), what);
        var dir = ScratchPath("copied");
        await ComputeThreads.RunLongAsync(() =>
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(dir);
            using var archive = bytes.OpenRead();
            TarFile.ExtractToDirectory(archive, dir, overwriteFiles: true);
            return true;
        });
        await BuildAsync(run, dir);
        if (learner!.IterationsDone != iterationsDone)
            throw new StageStateLostException($"{what}: it holds {learner.IterationsDone}");
        return learner.PolicyVersion;
    }

    async Task<PolicyWeights> ILearnerGrain.GetStateAsync(int iterationsDone)
    {
        var current = Learner;
        if (current.IterationsDone != iterationsDone)
            throw new StageStateLostException($"learner replica {this.GetPrimaryKeyString()} holds {current.IterationsDone} iterations, not {iterationsDone}");
        var chunkBytes = options.Value.WeightChunkBytes;
        var dir = ScratchPath("outgoing");
        state = await ComputeThreads.RunAsync(() =>
        {
            current.Save(dir);
            var archive = new ChunkedBytes(chunkBytes);
            TarFile.CreateFromDirectory(dir, archive, includeBaseDirectory: false);
            archive.Flush();
            return archive;
        });
        stateIterations = iterationsDone;
        return new PolicyWeights { Version = iterationsDone, TotalBytes = state.Length, ChunkBytes = state.ChunkBytes, Chunks = state.Chunks.Count, Sha256 = state.Sha256 };
    }

    Task<byte[]> ILearnerGrain.GetStateChunkAsync(int iterationsDone, int index)
    {
        if (state is null || stateIterations != iterationsDone || index < 0 || index >= state.Chunks.Count)
            throw new StageStateLostException($"learner replica {this.GetPrimaryKeyString()} has no state chunk {index} after {iterationsDone} iterations");
        return Task.FromResult(state.Chunks[index]);
    }

    Task<string> ILearnerGrain.ParameterHashAsync(int iterationsDone)
    {
        var current = Learner;
        if (current.IterationsDone != iterationsDone)
            throw new StageStateLostException($"learner replica {this.GetPrimaryKeyString()} holds {current.IterationsDone} iterations; the run is committing {iterationsDone}");
        return ComputeThreads.RunAsync(current.ParameterHash);
    }

    /// <summary>A directory of this replica's own under the silo's data root (replica keys hold '/').</summary>
    string ScratchPath(string name) => Path.Combine(options.Value.DataRoot, "learner-replicas", this.GetPrimaryKeyString().Replace('/', '~'), name);

    /// <summary>Frees actor, critic, reference and optimizer state with the activation (a retired learner).</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellation)
    {
        if (learner is { } held) await ComputeThreads.RunAsync(held.Dispose);
        learner = null;
        published = null;
        state = null;
        lane?.Dispose();
        lane = null;
    }

    Task ILearnerGrain.RetireAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    PpoLearner Learner => learner ?? throw new StageStateLostException("learner not initialised (re-activated?): the run re-initialises it from its checkpoint");
}
