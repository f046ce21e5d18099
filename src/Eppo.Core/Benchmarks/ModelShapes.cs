using Eppo.Core.Model;

namespace Eppo.Core.Benchmarks;

/// <summary>Real model shapes for `eppo bench model`, with random weights: GPT-2 small (124M) and SmolLM-135M (Llama, GQA).</summary>
public static class ModelShapes
{
    public static readonly IReadOnlyDictionary<string, ModelConfig> All = new Dictionary<string, ModelConfig>
    {
        // openai-community/gpt2's config.json
        ["gpt2"] = new(ModelFamily.Gpt2, VocabSize: 50257, HiddenSize: 768, Layers: 12, Heads: 12, KvHeads: 12,
            IntermediateSize: 3072, MaxPositions: 1024, TieEmbeddings: true, NormEps: 1e-5),
        // HuggingFaceTB/SmolLM-135M's config.json
        ["smollm-135m"] = new(ModelFamily.Llama, VocabSize: 49152, HiddenSize: 576, Layers: 30, Heads: 9, KvHeads: 3,
            IntermediateSize: 1536, MaxPositions: 2048, TieEmbeddings: true, RopeTheta: 10000, NormEps: 1e-5),
    };

    public static ModelConfig Get(string name) => All.TryGetValue(name, out var config)
        ? config
        : throw new EppoException($"--shape: unknown shape '{name}' (expected one of: {string.Join(", ", All.Keys)})");
}
