using Eppo.Contracts.Messages;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// Owns one slice of a run's prompts (key: "{runId}/{shard}"). The batch for an iteration is a pure function of
/// (seed, shard, iteration), so a replayed iteration gets the same prompts; nothing is persisted.
/// </summary>
[Alias("eppo.IPromptShardGrain")]
public interface IPromptShardGrain : IGrainWithStringKey
{
    [Alias("Batch")] Task<PromptBatch> GetBatchAsync(RunContext run, int shard, int iteration);
}
