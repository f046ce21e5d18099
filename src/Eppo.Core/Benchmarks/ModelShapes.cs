using Eppo.Core.Model;

namespace Eppo.Core.Benchmarks;

/// <summary>
/// Model shapes for `eppo bench model` and `eppo model create`, with random weights: GPT-2 small (124M), SmolLM-135M
/// (Llama, GQA), and a tiny GPT-2 with GPT-2's full vocabulary (for trying the text task on a laptop).
/// </summary>
public static class ModelShapes
{
    public static readonly IReadOnlyDictionary<string, ModelConfig> All = new Dictionary<string, ModelConfig>
    {
        // openai-community/gpt2's config.json
        ["gpt2"] = new(ModelFamily.Gpt2, VocabSize: 50257, HiddenSize: 768, Layers: 12, Heads: 12, KvHeads: 12,
            IntermediateSize: 3072, MaxPositions: 1024, TieEmbeddings: true, NormEps: 1e-5),
        ["tiny-gpt2"] = new(ModelFamily.Gpt2, VocabSize: 50257, HiddenSize: 64, Layers: 2, Heads: 4, KvHeads: 4,
            IntermediateSize: 256, MaxPositions: 512, TieEmbeddings: true, NormEps: 1e-5),
        // HuggingFaceTB/SmolLM-135M's config.json
        ["smollm-135m"] = new(ModelFamily.Llama, VocabSize: 49152, HiddenSize: 576, Layers: 30, Heads: 9, KvHeads: 3,
            IntermediateSize: 1536, MaxPositions: 2048, TieEmbeddings: true, RopeTheta: 10000, NormEps: 1e-5),
    };

    public static ModelConfig Get(string name) => All.TryGetValue(name, out var config)
        ? config
        : throw new EppoException($"--shape: unknown shape '{name}' (expected one of: {string.Join(", ", All.Keys)})");
}
