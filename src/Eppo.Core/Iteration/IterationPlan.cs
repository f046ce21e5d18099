using Eppo.Contracts;

namespace Eppo.Core.Iteration;

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

    /// <summary>
    /// Consecutive row ranges as equal as can be (the first rows mod parts one row longer), empty ones left out. A
    /// batch is cut in equal parts (the spec makes <paramref name="parts"/> divide it); PAR's answers not scored yet
    /// are a part of a batch, which need not divide.
    /// </summary>
    public static IEnumerable<Range> Chunks(int rows, int parts)
    {
        var (size, longer) = (rows / parts, rows % parts);
        for (int c = 0, start = 0; c < parts && start < rows; c++)
        {
            var length = size + (c < longer ? 1 : 0);
            yield return new Range(start, start + length);
            start += length;
        }
    }
}
