namespace Eppo.Core.Iteration;

/// <summary>
/// Which prompts each shard hands out at each iteration — a pure function of (seed, shard, iteration), so a replayed
/// or resumed iteration sees exactly the same prompts. Shard k owns prompts k, k+K, k+2K, …; each epoch over its slice
/// is a fresh seeded permutation.
/// </summary>
public static class PromptSchedule
{
    /// <summary>How many of the iteration's batchSize prompts shard k serves (the first batchSize mod K get one more).</summary>
    public static int ShareOf(int batchSize, int shards, int shard) => batchSize / shards + (shard < batchSize % shards ? 1 : 0);

    public static int[] SliceOf(int promptCount, int shards, int shard) =>
        Enumerable.Range(0, promptCount).Where(i => i % shards == shard).ToArray();

    /// <summary>Indices into the prompt set, and the (epoch, offset) cursor where the batch started.</summary>
    public static (int[] Indices, int Epoch, int Offset) Batch(int promptCount, int seed, int shards, int shard, int iteration, int batchSize)
    {
        var slice = SliceOf(promptCount, shards, shard);
        var count = ShareOf(batchSize, shards, shard);
        if (slice.Length == 0) throw new EppoException($"prompt shard {shard}: no prompts (only {promptCount} prompts for {shards} shards)");
        var start = (long)iteration * count;
        var indices = new int[count];
        int? firstEpoch = null;
        var firstOffset = 0;
        for (var i = 0; i < count; i++)
        {
            var position = start + i;
            var epoch = (int)(position / slice.Length);
            var offset = (int)(position % slice.Length);
            if (firstEpoch is null) (firstEpoch, firstOffset) = (epoch, offset);
            indices[i] = slice[Permutation(slice.Length, Seeds.Combine(seed, shard, epoch))[offset]];
        }
        return (indices, firstEpoch ?? 0, firstOffset);
    }

    static readonly Dictionary<(int, long), int[]> Permutations = new();

    static int[] Permutation(int length, long seed)
    {
        lock (Permutations)
        {
            if (Permutations.TryGetValue((length, seed), out var cached)) return cached;
            var order = Enumerable.Range(0, length).ToArray();
            new Random((int)(seed & 0x7fffffff)).Shuffle(order);
            if (Permutations.Count > 256) Permutations.Clear();
            return Permutations[(length, seed)] = order;
        }
    }
}
