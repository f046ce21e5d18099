using Eppo.Contracts.Messages;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>
/// Serves one shard's prompts. The batch of an iteration is a pure function of (seed, shard, iteration), so nothing is
/// persisted: a re-activated shard rebuilds its prompt set from the spec and hands out the same batches. The run and
/// its prompts are read once per activation.
/// </summary>
public sealed class PromptShardGrain(RunInputs inputs) : Grain, IPromptShardGrain
{
    LocalRun? local;
    PromptSet? prompts;

    async Task<PromptBatch> IPromptShardGrain.GetBatchAsync(RunContext run, int shard, int iteration)
    {
        var r = local ??= await inputs.ResolveAsync(run);
        prompts ??= await Task.Run(() => r.Task.TrainPrompts(r.Spec));
        var s = r.Spec;
        var (indices, _, _) = PromptSchedule.Batch(prompts.Count, s.Seed, s.PromptShards, shard, iteration, s.BatchSize);
        return prompts.Batch(indices);
    }
}
