using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Training;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace Eppo.Grains.Stages;

/// <summary>Serves one shard's prompts; the batch of an iteration is a pure function, the cursor is kept for status.</summary>
public sealed class PromptShardGrain(
    [PersistentState("cursor", EppoStorage.Name)] IPersistentState<PromptCursor> cursor,
    ILogger<PromptShardGrain> logger) : Grain, IPromptShardGrain
{
    PromptSet? prompts;

    async Task<PromptBatch> IPromptShardGrain.GetBatchAsync(RunContext run, int shard, int iteration)
    {
        var spec = RunSpec.Parse(run.SpecJson, run.RunId);
        prompts ??= await Task.Run(() => TrainingTasks.For(spec).TrainPrompts(spec));
        var (indices, epoch, offset) = PromptSchedule.Batch(prompts.Count, spec.Seed, spec.PromptShards, shard, iteration, spec.BatchSize);
        cursor.State = new PromptCursor { Iteration = iteration, Epoch = epoch, Offset = offset };
        // The cursor is for status only (batches are pure functions of the iteration): storage being away must not stall prompts.
        try { await cursor.WriteStateAsync(); }
        catch (Exception e) when (TransientFailures.IsTransient(e)) { logger.LogWarning("prompt cursor not persisted: {Error}", e.GetBaseException().Message); }
        return new PromptBatch
        {
            Ids = indices.Select(i => prompts.Ids[i]).ToArray(),
            Tokens = indices.Select(i => prompts.Tokens[i]).ToArray(),
        };
    }
}

[GenerateSerializer, Alias("eppo.PromptCursor")]
public sealed class PromptCursor
{
    [Id(0)] public int Iteration { get; set; }
    [Id(1)] public int Epoch { get; set; }
    [Id(2)] public int Offset { get; set; }
}
