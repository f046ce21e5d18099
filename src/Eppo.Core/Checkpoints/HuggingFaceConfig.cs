using System.Text.Json;
using System.Text.Json.Nodes;
using Eppo.Core.Model;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// The one config.json format: Hugging Face's, for GPT2LMHeadModel, LlamaForCausalLM (Llama 2 and 3 with rope_type
/// llama3, TinyLlama, SmolLM, DeepSeek-LLM), MistralForCausalLM and Qwen2ForCausalLM (q/k/v biases) and their
/// …ForSequenceClassification reward models, plus our own field "probe_site" as an extension key. A checkpoint
/// directory's config.json names its architecture; the config string a model directory of ours keeps in its metadata
/// is the same format without "architectures" (the family comes from "model_type"). Absent fields take the defaults of
/// transformers' configuration classes (GPT-2: tied head, layer_norm_epsilon 1e-5; Llama, Mistral, Qwen2: untied,
/// rms_norm_eps 1e-6, rope_theta 10000; KV heads: Llama all heads, Mistral 8, Qwen2 32; Mistral's sliding window 4096).
/// Config strings written before this format (with "model_family") still load as they did. What the model code here
/// cannot reproduce exactly — other RoPE scalings, o_proj or MLP biases, per-layer sliding windows, another
/// activation — is refused naming the field, never approximated. Every error is one line naming the source.
/// </summary>
public static class HuggingFaceConfig
{
    public static readonly IReadOnlyList<string> Architectures =
    [
        "GPT2LMHeadModel", "LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM",
        // Reward models: the same trunk with a one-output "score" head.
        "GPT2ForSequenceClassification", "LlamaForSequenceClassification", "MistralForSequenceClassification", "Qwen2ForSequenceClassification",
    ];

    static readonly string[] ModelTypes = ["gpt2", "llama", "mistral", "qwen2"];

    /// <summary>Our extension key: where the energy probe sits.</summary>
    public const string ProbeSiteKey = "probe_site";

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The head an architecture carries: a language-model head, or a reward model's scalar score.</summary>
    public static HeadKind Head(string architecture) => architecture.EndsWith("ForSequenceClassification", StringComparison.Ordinal) ? HeadKind.Reward : HeadKind.LanguageModel;

    /// <summary>The Hugging Face architecture of a model of this shape and head; a head Hugging Face has no class for is refused.</summary>
    public static string Architecture(ModelConfig config, HeadKind head)
    {
        var stem = config.Family == ModelFamily.Gpt2 ? "GPT2" : config.AttentionBias ? "Qwen2" : "Llama";
        return head switch
        {
            HeadKind.LanguageModel => stem + (stem == "GPT2" ? "LMHeadModel" : "ForCausalLM"),
            HeadKind.Reward => stem + "ForSequenceClassification",
            HeadKind.Value => throw new EppoException("export: a critic (value head) has no Hugging Face architecture; export the policy or the reward model"),
            _ => throw new EppoException($"export: a {head} reward model has no Hugging Face architecture (only a scalar score head does)"),
        };
    }

    /// <summary>
    /// A checkpoint directory's config.json: its config and architecture. The probe site is <paramref name="site"/>
    /// when given, else the file's "probe_site", else down_proj.
    /// </summary>
    public static (ModelConfig Config, string Architecture) Read(string path, EnergySite? site = null)
    {
        if (!File.Exists(path)) throw new EppoException($"{path}: file not found (a Hugging Face checkpoint directory has config.json)");
        var (config, architecture) = Parse(File.ReadAllText(path), path, needArchitecture: true);
        return (site is { } s ? config with { ProbeSite = s } : config, architecture!);
    }

    /// <summary>A config string (a model directory's metadata, or a config.json's text); <paramref name="source"/> is what errors name.</summary>
    public static ModelConfig Parse(string json, string source = "model config") => Parse(json, source, needArchitecture: false).Config;

    /// <summary>
    /// The config as config.json text. With <paramref name="head"/>, "architectures" names the model class (and a reward
    /// model gets num_labels 1); <paramref name="torchDtype"/> ("float32", "bfloat16") is written when given.
    /// </summary>
    public static string Write(ModelConfig config, HeadKind? head = null, string? torchDtype = null)
    {
        var c = config;
        var json = new JsonObject();
        if (head is { } kind) json["architectures"] = new JsonArray(Architecture(c, kind));
        if (c.Family == ModelFamily.Gpt2)
        {
            json["model_type"] = "gpt2";
            json["vocab_size"] = c.VocabSize;
            json["n_embd"] = c.HiddenSize;
            json["n_layer"] = c.Layers;
            json["n_head"] = c.Heads;
            json["n_positions"] = c.MaxPositions;
            json["n_inner"] = c.IntermediateSize;
            json["layer_norm_epsilon"] = c.NormEps;
            json["activation_function"] = "gelu_new";
        }
        else
        {
            json["model_type"] = c.AttentionBias ? "qwen2" : "llama";
            json["vocab_size"] = c.VocabSize;
            json["hidden_size"] = c.HiddenSize;
            json["intermediate_size"] = c.IntermediateSize;
            json["num_hidden_layers"] = c.Layers;
            json["num_attention_heads"] = c.Heads;
            json["num_key_value_heads"] = c.KvHeads;
            json["max_position_embeddings"] = c.MaxPositions;
            json["rms_norm_eps"] = c.NormEps;
            json["rope_theta"] = c.RopeTheta;
            json["hidden_act"] = "silu";
            json["rope_scaling"] = c.RopeScaling is { } r
                ? new JsonObject
                {
                    ["rope_type"] = "llama3", ["factor"] = r.Factor, ["low_freq_factor"] = r.LowFreqFactor,
                    ["high_freq_factor"] = r.HighFreqFactor, ["original_max_position_embeddings"] = r.OriginalMaxPositions,
                }
                : null;
            if (!c.AttentionBias) json["attention_bias"] = false;
        }
        json["tie_word_embeddings"] = c.TieEmbeddings;
        json[ProbeSiteKey] = c.ProbeSite.ToConfigString();
        if (torchDtype is not null) json["torch_dtype"] = torchDtype;
        if (head == HeadKind.Reward)
        {
            json["num_labels"] = 1;
            json["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
            json["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
        }
        return json.ToJsonString(Indented);
    }

    static (ModelConfig Config, string? Architecture) Parse(string text, string source, bool needArchitecture)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(text); }
        catch (JsonException e) { throw new EppoException($"{source}: malformed JSON ({e.Message.Split(". ")[0]})"); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new EppoException($"{source}: not a JSON object (a config is {{\"model_type\": …, \"vocab_size\": …, …}}), got {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            var fields = new Fields(document.RootElement, source);
            var (config, architecture) = Parse(fields, needArchitecture);
            try
            {
                return (config.Validate(), architecture);
            }
            catch (EppoException e)
            {
                throw new EppoException($"{source}: {e.Message}");
            }
        }
    }

    static (ModelConfig Config, string? Architecture) Parse(Fields f, bool needArchitecture)
    {
        string? architecture = null;
        if (f.Present("architectures"))
        {
            var list = f.Root.GetProperty("architectures");
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0 || list[0].ValueKind != JsonValueKind.String)
                throw f.Bad("architectures", "must be a list of class names, e.g. [\"LlamaForCausalLM\"]");
            architecture = list[0].GetString()!;
            if (!Architectures.Contains(architecture))
                throw f.Bad("architectures", $"'{architecture}' is not supported (supported: {string.Join(", ", Architectures)})");
        }
        else if (needArchitecture) throw f.Bad("architectures", "missing (e.g. [\"LlamaForCausalLM\"])");

        // Config strings of model directories written before this format said "model_family" (llama or gpt2), and
        // their "attention_bias" meant Qwen2's q/k/v biases.
        var legacy = architecture is null && !f.Present("model_type") && f.Present("model_family");
        var type = architecture is not null ? ModelTypes.First(t => architecture.StartsWith(t, StringComparison.OrdinalIgnoreCase))
            : f.Text("model_type") is { } modelType ? ModelTypes.Contains(modelType) ? modelType : throw f.Bad("model_type", $"'{modelType}' is not supported (supported: {string.Join(", ", ModelTypes)})")
            : f.Text("model_family") is { } family ? family is "llama" or "gpt2" ? family : throw f.Bad("model_family", $"'{family}' is unknown; expected llama or gpt2")
            : throw f.Bad("model_type", $"missing (one of {string.Join(", ", ModelTypes)})");

        if (architecture is not null && Head(architecture) == HeadKind.Reward)
        {
            var labels = f.Present("id2label") ? f.Root.GetProperty("id2label") : default;
            var defaultLabels = labels.ValueKind == JsonValueKind.Object ? labels.EnumerateObject().Count() : 2;
            if (f.Int("num_labels", defaultLabels) != 1) throw f.Bad("num_labels", "a reward model has one output (num_labels 1)");
        }
        var site = f.Text(ProbeSiteKey) is { } siteName ? Site(f, siteName) : EnergySite.DownProj;
        var tieDefault = !legacy && type == "gpt2";  // PretrainedConfig ties by default; Llama, Mistral, Qwen2 say false

        if (type == "gpt2")
        {
            if (f.Text("activation_function") is { } act && act != "gelu_new") throw f.Bad("activation_function", $"'{act}' is not supported (gelu_new is)");
            // GPT2Config maps hidden_size, num_hidden_layers, num_attention_heads and max_position_embeddings onto its own names.
            var hidden = f.Int("n_embd", alias: "hidden_size");
            var heads = f.Int("n_head", alias: "num_attention_heads");
            var inner = f.OptionalInt("n_inner") ?? f.OptionalInt("intermediate_size") ?? 4 * hidden;
            return (new ModelConfig(ModelFamily.Gpt2, f.Int("vocab_size"), hidden, f.Int("n_layer", alias: "num_hidden_layers"), heads, heads, inner,
                f.Int("n_positions", alias: "max_position_embeddings"), TieEmbeddings: f.Flag("tie_word_embeddings", tieDefault),
                NormEps: f.Number("layer_norm_epsilon", legacy ? f.Number("rms_norm_eps", 1e-5) : 1e-5), ProbeSite: site), architecture);
        }

        if (f.Text("hidden_act") is { } hiddenAct && hiddenAct != "silu") throw f.Bad("hidden_act", $"'{hiddenAct}' is not supported (silu is)");
        var scaling = f.Present("rope_scaling") ? Llama3Scaling(f) : null;
        var qwen2 = type == "qwen2";
        if (!legacy && !qwen2 && f.Flag("attention_bias", false)) throw f.Bad("attention_bias", "biases on every attention projection (o_proj too) are not supported");
        if (qwen2 && f.Flag("use_sliding_window", false)) throw f.Bad("use_sliding_window", "Qwen2's per-layer sliding window is not supported");
        if (f.Flag("mlp_bias", false)) throw f.Bad("mlp_bias", "MLP biases are not supported");
        var size = f.Int("hidden_size");
        var attentionHeads = f.Int("num_attention_heads");
        if (f.OptionalInt("head_dim") is { } headDim && headDim * attentionHeads != size)
            throw f.Bad("head_dim", $"{headDim} × {attentionHeads} heads ≠ hidden_size {size}: not supported");
        var kvHeads = f.Has("num_key_value_heads") ? f.OptionalInt("num_key_value_heads") ?? attentionHeads
            : type switch { "mistral" => 8, "qwen2" => 32, _ => attentionHeads };
        var positions = f.Int("max_position_embeddings");
        // Within its window, sliding-window attention is plain causal attention: the context stops at the window.
        if (type == "mistral" && (f.Has("sliding_window") ? f.OptionalInt("sliding_window") : 4096) is { } window) positions = Math.Min(positions, window);
        return (new ModelConfig(ModelFamily.Llama, f.Int("vocab_size"), size, f.Int("num_hidden_layers"), attentionHeads, kvHeads,
            f.Int("intermediate_size"), positions, TieEmbeddings: f.Flag("tie_word_embeddings", tieDefault), RopeTheta: f.Number("rope_theta", 10000),
            NormEps: f.Number("rms_norm_eps", legacy ? f.Number("layer_norm_epsilon", 1e-5) : 1e-6), ProbeSite: site,
            AttentionBias: qwen2 || legacy && f.Flag("attention_bias", false), RopeScaling: scaling), architecture);
    }

    static EnergySite Site(Fields f, string name)
    {
        try { return EnergySites.Parse(name); }
        catch (EppoException e) { throw f.Bad(ProbeSiteKey, e.Message); }
    }

    /// <summary>rope_scaling of rope_type (or the older key "type") "llama3"; any other scaling is refused.</summary>
    static RopeScaling Llama3Scaling(Fields f)
    {
        var s = f.Root.GetProperty("rope_scaling");
        if (s.ValueKind != JsonValueKind.Object) throw f.Bad("rope_scaling", "must be an object or null");
        var type = s.TryGetProperty("rope_type", out var t) || s.TryGetProperty("type", out t) ? t.ValueKind == JsonValueKind.String ? t.GetString() : t.ToString() : null;
        if (type != "llama3") throw f.Bad("rope_scaling", $"rope_type '{type}' is not supported (llama3 is)");
        double Need(string field) => s.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble() : throw f.Bad($"rope_scaling.{field}", "missing");
        return new RopeScaling(Need("factor"), Need("low_freq_factor"), Need("high_freq_factor"), (int)Need("original_max_position_embeddings"));
    }

    /// <summary>Typed access to a config's top-level fields: null counts as absent, a value of the wrong type is an error naming the field.</summary>
    sealed class Fields(JsonElement root, string source)
    {
        public JsonElement Root => root;

        public EppoException Bad(string field, string what) => new($"{source}: field '{field}': {what}");

        public bool Has(string field) => root.TryGetProperty(field, out _);

        public bool Present(string field) => root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

        public int? OptionalInt(string field)
        {
            if (!Present(field)) return null;
            var v = root.GetProperty(field);
            return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : throw Bad(field, $"must be an integer, got {v.GetRawText()}");
        }

        /// <summary>A required integer (or <paramref name="fallback"/>); <paramref name="alias"/> is another name for it.</summary>
        public int Int(string field, int? fallback = null, string? alias = null) =>
            OptionalInt(field) ?? (alias is null ? null : OptionalInt(alias)) ?? fallback ?? throw Bad(field, "missing");

        public double Number(string field, double fallback)
        {
            if (!Present(field)) return fallback;
            var v = root.GetProperty(field);
            return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Bad(field, $"must be a number, got {v.GetRawText()}");
        }

        public bool Flag(string field, bool fallback)
        {
            if (!Present(field)) return fallback;
            var v = root.GetProperty(field);
            return v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Bad(field, $"must be true or false, got {v.GetRawText()}");
        }

        public string? Text(string field)
        {
            if (!Present(field)) return null;
            var v = root.GetProperty(field);
            return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Bad(field, $"must be a string, got {v.GetRawText()}");
        }
    }
}
