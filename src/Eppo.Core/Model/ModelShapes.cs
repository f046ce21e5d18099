using Eppo.Core.Model;

namespace Eppo.Core.Model;

/// <summary>
/// Model shapes for `eppo bench model`, `eppo model create` (random weights) and `eppo plan`: GPT-2 small (124M),
/// SmolLM-135M (Llama, GQA), a tiny GPT-2 with GPT-2's full vocabulary (for trying the text task on a laptop), and three
/// 7–8B shapes to plan.
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
        // meta-llama/Meta-Llama-3-8B's config.json (rope_scaling null)
        ["llama3-8b"] = new(ModelFamily.Llama, VocabSize: 128256, HiddenSize: 4096, Layers: 32, Heads: 32, KvHeads: 8,
            IntermediateSize: 14336, MaxPositions: 8192, TieEmbeddings: false, RopeTheta: 500000, NormEps: 1e-5),
        // meta-llama/Llama-2-7b-hf's config.json (no GQA)
        ["llama2-7b"] = new(ModelFamily.Llama, VocabSize: 32000, HiddenSize: 4096, Layers: 32, Heads: 32, KvHeads: 32,
            IntermediateSize: 11008, MaxPositions: 4096, TieEmbeddings: false, RopeTheta: 10000, NormEps: 1e-5),
        // mistralai/Mistral-7B-v0.1's config.json, its context capped at the sliding window (4096) as HuggingFaceConfig caps it
        ["mistral-7b"] = new(ModelFamily.Llama, VocabSize: 32000, HiddenSize: 4096, Layers: 32, Heads: 32, KvHeads: 8,
            IntermediateSize: 14336, MaxPositions: 4096, TieEmbeddings: false, RopeTheta: 10000, NormEps: 1e-5),
    };

    /// <summary>The shapes small enough to build and train on a CPU (`bench model`, `model create`); the 7–8B ones are for `eppo plan`.</summary>
    public static readonly IReadOnlyList<string> Small = ["gpt2", "smollm-135m", "tiny-gpt2"];

    public static ModelConfig Get(string name) => All.TryGetValue(name, out var config)
        ? config
        : throw new EppoException($"--shape: unknown shape '{name}' (expected one of: {string.Join(", ", All.Keys)})");
}
