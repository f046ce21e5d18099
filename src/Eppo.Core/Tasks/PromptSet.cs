using Eppo.Contracts.Messages;

namespace Eppo.Core.Tasks;

/// <summary>A run's prompts: stable ids (keys of the SFT energy cache) and token ids. Built the same way on every silo from the spec.</summary>
public sealed record PromptSet(IReadOnlyList<string> Ids, IReadOnlyList<int[]> Tokens)
{
    public int Count => Ids.Count;

    /// <summary>The prompts at <paramref name="indices"/>, as the stages exchange them.</summary>
    public PromptBatch Batch(int[] indices) => new(indices.Select(i => Ids[i]).ToArray(), indices.Select(i => Tokens[i]).ToArray());

    public static PromptSet Encode(IReadOnlyList<(string Id, string Text)> prompts, TaskCodec codec, string source)
    {
        if (prompts.Count == 0) throw new EppoException($"{source}: the prompt set is empty");
        return new(prompts.Select(p => p.Id).ToArray(), prompts.Select(p => codec.EncodePrompt(p.Text)).ToArray());
    }
}
