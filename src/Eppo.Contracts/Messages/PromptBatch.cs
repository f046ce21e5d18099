using Orleans;

namespace Eppo.Contracts.Messages;

/// <summary>
/// Prompts as token ids, with the stable ids the energy-reference cache keys on: an iteration's, a shard's or a
/// generator chunk's, in process or as a grain message.
/// </summary>
[GenerateSerializer, Immutable, Alias("eppo.PromptBatch")]
public sealed record PromptBatch(string[] Ids, int[][] Tokens)
{
    public int Rows => Ids.Length;

    /// <summary>The rows in <paramref name="range"/> (a generator's chunk).</summary>
    public PromptBatch this[Range range] => new(Ids[range], Tokens[range]);

    /// <summary>The batches' rows, in order (the shards of an iteration).</summary>
    public static PromptBatch Concat(IEnumerable<PromptBatch> batches)
    {
        var all = batches.ToArray();
        return new PromptBatch(all.SelectMany(b => b.Ids).ToArray(), all.SelectMany(b => b.Tokens).ToArray());
    }
}
