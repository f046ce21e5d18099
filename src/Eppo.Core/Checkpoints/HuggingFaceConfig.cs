using System.Text.Json;
using Eppo.Core.Model;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// A Hugging Face config.json as a <see cref="ModelConfig"/>: GPT2LMHeadModel, LlamaForCausalLM (Llama 2 and 3 with
/// rope_type llama3, TinyLlama, SmolLM, DeepSeek-LLM), MistralForCausalLM and Qwen2ForCausalLM (q/k/v biases). What the
/// model code here cannot reproduce exactly — other RoPE scalings, o_proj or MLP biases, per-layer sliding windows,
/// another activation — is refused naming the field, never approximated.
/// </summary>
public static class HuggingFaceConfig
{
    public static readonly IReadOnlyList<string> Architectures =
    [
        "GPT2LMHeadModel", "LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM",
        // Reward models: the same trunk with a one-output "score" head.
        "GPT2ForSequenceClassification", "LlamaForSequenceClassification", "MistralForSequenceClassification", "Qwen2ForSequenceClassification",
    ];

    /// <summary>The head an architecture carries: a language-model head, or a reward model's scalar score.</summary>
    public static HeadKind Head(string architecture) => architecture.EndsWith("ForSequenceClassification", StringComparison.Ordinal) ? HeadKind.Reward : HeadKind.LanguageModel;

    public static (ModelConfig Config, string Architecture) Read(string path, EnergySite site = EnergySite.DownProj)
    {
        if (!File.Exists(path)) throw new EppoException($"{path}: file not found (a Hugging Face checkpoint directory has config.json)");
        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new EppoException($"{path}: not valid JSON ({e.Message.Split(". ")[0]})"); }
        using (document)
        {
            var root = document.RootElement;
            EppoException Bad(string field, string what) => new($"{path}: field '{field}': {what}");
            int Int(string field, int? fallback = null) =>
                root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32()
                : fallback ?? throw Bad(field, "missing");
            double Number(string field, double fallback) =>
                root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : fallback;
            bool Flag(string field, bool fallback) =>
                root.TryGetProperty(field, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : fallback;
            string? Text(string field) => root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            bool Present(string field) => root.TryGetProperty(field, out var v) && v.ValueKind is not JsonValueKind.Null;

            var architecture = root.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0
                ? a[0].GetString() ?? "" : throw Bad("architectures", "missing (e.g. [\"LlamaForCausalLM\"])");
            if (!Architectures.Contains(architecture))
                throw Bad("architectures", $"'{architecture}' is not supported (supported: {string.Join(", ", Architectures)})");

            if (Head(architecture) == HeadKind.Reward && Int("num_labels", root.TryGetProperty("id2label", out var labels) ? labels.EnumerateObject().Count() : 2) != 1)
                throw Bad("num_labels", "a reward model has one output (num_labels 1)");
            if (architecture.StartsWith("GPT2", StringComparison.Ordinal))
            {
                if (Text("activation_function") is { } act && act != "gelu_new") throw Bad("activation_function", $"'{act}' is not supported (gelu_new is)");
                var hidden = Int("n_embd");
                var heads = Int("n_head");
                var inner = root.TryGetProperty("n_inner", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt32() : 4 * hidden;
                return (new ModelConfig(ModelFamily.Gpt2, Int("vocab_size"), hidden, Int("n_layer"), heads, heads, inner, Int("n_positions"),
                    TieEmbeddings: Flag("tie_word_embeddings", true), NormEps: Number("layer_norm_epsilon", 1e-5), ProbeSite: site).Validate(), architecture);
            }

            if (Text("hidden_act") is { } hiddenAct && hiddenAct != "silu") throw Bad("hidden_act", $"'{hiddenAct}' is not supported (silu is)");
            var scaling = Present("rope_scaling") ? Llama3Scaling(root.GetProperty("rope_scaling"), Bad) : null;
            var qwen2 = architecture.StartsWith("Qwen2", StringComparison.Ordinal);
            if (!qwen2 && Flag("attention_bias", false)) throw Bad("attention_bias", "biases on every attention projection (o_proj too) are not supported");
            if (qwen2 && Flag("use_sliding_window", false)) throw Bad("use_sliding_window", "Qwen2's per-layer sliding window is not supported");
            if (Flag("mlp_bias", false)) throw Bad("mlp_bias", "MLP biases are not supported");
            var size = Int("hidden_size");
            var attentionHeads = Int("num_attention_heads");
            if (Present("head_dim") && Int("head_dim") * attentionHeads != size)
                throw Bad("head_dim", $"{Int("head_dim")} × {attentionHeads} heads ≠ hidden_size {size}: not supported");
            var positions = Int("max_position_embeddings");
            // Within its window, sliding-window attention is plain causal attention: the context stops at the window.
            if (architecture.StartsWith("Mistral", StringComparison.Ordinal) && Present("sliding_window")) positions = Math.Min(positions, Int("sliding_window"));
            return (new ModelConfig(ModelFamily.Llama, Int("vocab_size"), size, Int("num_hidden_layers"), attentionHeads,
                Int("num_key_value_heads", attentionHeads), Int("intermediate_size"), positions,
                TieEmbeddings: Flag("tie_word_embeddings", false), RopeTheta: Number("rope_theta", 10000), NormEps: Number("rms_norm_eps", 1e-6),
                ProbeSite: site, AttentionBias: qwen2, RopeScaling: scaling).Validate(), architecture);
        }
    }

    /// <summary>rope_scaling of rope_type (or the older key "type") "llama3"; any other scaling is refused.</summary>
    static RopeScaling Llama3Scaling(JsonElement s, Func<string, string, EppoException> bad)
    {
        var type = s.TryGetProperty("rope_type", out var t) || s.TryGetProperty("type", out t) ? t.GetString() : null;
        if (type != "llama3") throw bad("rope_scaling", $"rope_type '{type}' is not supported (llama3 is)");
        double Need(string field) => s.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble() : throw bad($"rope_scaling.{field}", "missing");
        return new RopeScaling(Need("factor"), Need("low_freq_factor"), Need("high_freq_factor"), (int)Need("original_max_position_embeddings"));
    }
}
