using Eppo.Contracts.Messages;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Training;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>
/// Serves one shard's prompts. The batch of an iteration is a pure function of (seed, shard, iteration), so nothing is
/// persisted: a re-activated shard rebuilds its prompt set from the spec and hands out the same batches.
/// </summary>
public sealed class PromptShardGrain : Grain, IPromptShardGrain
{
    RunSpec? spec;
    PromptSet? prompts;

    async Task<PromptBatch> IPromptShardGrain.GetBatchAsync(RunContext run, int shard, int iteration)
    {
        var s = spec ??= RunSpec.Parse(run.SpecJson, run.RunId);
        prompts ??= await Task.Run(() => TrainingTasks.For(s).TrainPrompts(s));
        var (indices, _, _) = PromptSchedule.Batch(prompts.Count, s.Seed, s.PromptShards, shard, iteration, s.BatchSize);
        return prompts.Batch(indices);
    }
}
