using Eppo.Contracts;

namespace Eppo.Core.Training;

/// <summary>
/// How one iteration's work is cut up — prompts per shard, rows per generator and per scorer — shared by the Orleans
/// pipeline and the in-process driver so that both compute exactly the same thing.
/// </summary>
public static class IterationPlan
{
    /// <summary>(shard, how many prompts it serves) for every shard with a non-zero share.</summary>
    public static IEnumerable<(int Shard, int Count)> Shards(RunSpec spec) =>
        Enumerable.Range(0, spec.PromptShards)
            .Select(k => (k, PromptSchedule.ShareOf(spec.BatchSize, spec.PromptShards, k)))
            .Where(s => s.Item2 > 0);

    /// <summary>The iteration's prompts as indices into the prompt set, shard by shard.</summary>
    public static int[] PromptIndices(RunSpec spec, int promptCount, int iteration) =>
        Shards(spec).SelectMany(s => PromptSchedule.Batch(promptCount, spec.Seed, spec.PromptShards, s.Shard, iteration, spec.BatchSize).Indices).ToArray();

    /// <summary>Equal consecutive row ranges (the spec guarantees <paramref name="parts"/> divides the batch).</summary>
    public static IEnumerable<Range> Chunks(int rows, int parts)
    {
        var size = rows / parts;
        for (var c = 0; c < parts; c++) yield return new Range(c * size, (c + 1) * size);
    }
}
