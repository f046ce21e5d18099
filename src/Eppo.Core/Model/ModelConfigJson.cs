using System.Text.Json;
using System.Text.Json.Serialization;

namespace Eppo.Core.Model;

/// <summary>
/// <see cref="ModelConfig"/> as a Hugging Face-like config.json. Llama writes rms_norm_eps, GPT-2 layer_norm_epsilon;
/// reading also accepts GPT-2's own names (n_embd, n_layer, n_head, n_inner, n_positions) and model_type.
/// </summary>
public static class ModelConfigJson
{
    static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write(ModelConfig config)
    {
        var isLlama = config.Family == ModelFamily.Llama;
        var document = new Document
        {
            ModelFamily = FamilyName(config.Family),
            VocabSize = config.VocabSize,
            HiddenSize = config.HiddenSize,
            NumHiddenLayers = config.Layers,
            NumAttentionHeads = config.Heads,
            NumKeyValueHeads = config.KvHeads,
            IntermediateSize = config.IntermediateSize,
            MaxPositionEmbeddings = config.MaxPositions,
            TieWordEmbeddings = config.TieEmbeddings,
            RopeTheta = config.RopeTheta,
            RmsNormEps = isLlama ? config.NormEps : null,
            LayerNormEpsilon = isLlama ? null : config.NormEps,
            ProbeSite = config.ProbeSite.ToConfigString(),
            AttentionBias = config.AttentionBias ? true : null,
            RopeScaling = config.RopeScaling is { } r ? new RopeScalingDocument { RopeType = "llama3", Factor = r.Factor, LowFreqFactor = r.LowFreqFactor,
                HighFreqFactor = r.HighFreqFactor, OriginalMaxPositionEmbeddings = r.OriginalMaxPositions } : null,
        };
        return JsonSerializer.Serialize(document, Options);
    }

    public static ModelConfig Read(string json)
    {
        Document document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, Options)
                ?? throw new EppoException("Model config JSON is empty (null).");
        }
        catch (JsonException e)
        {
            throw new EppoException($"Model config JSON is malformed: {e.Message}");
        }

        var family = ParseFamily(document.ModelFamily ?? document.ModelType
            ?? throw Missing("model_family"));
        var heads = document.NumAttentionHeads ?? document.NHead ?? throw Missing("num_attention_heads");
        var hidden = document.HiddenSize ?? document.NEmbd ?? throw Missing("hidden_size");
        return new ModelConfig(
            family,
            VocabSize: document.VocabSize ?? throw Missing("vocab_size"),
            HiddenSize: hidden,
            Layers: document.NumHiddenLayers ?? document.NLayer ?? throw Missing("num_hidden_layers"),
            Heads: heads,
            KvHeads: document.NumKeyValueHeads ?? heads,
            IntermediateSize: document.IntermediateSize ?? document.NInner
                ?? (family == ModelFamily.Gpt2 ? 4 * hidden : throw Missing("intermediate_size")),
            MaxPositions: document.MaxPositionEmbeddings ?? document.NPositions ?? throw Missing("max_position_embeddings"),
            TieEmbeddings: document.TieWordEmbeddings ?? false,
            RopeTheta: document.RopeTheta ?? 10000,
            NormEps: document.RmsNormEps ?? document.LayerNormEpsilon ?? 1e-5,
            ProbeSite: document.ProbeSite is null ? EnergySite.DownProj : EnergySites.Parse(document.ProbeSite),
            AttentionBias: document.AttentionBias ?? false,
            RopeScaling: document.RopeScaling is { } r
                ? new RopeScaling(r.Factor ?? throw Missing("rope_scaling.factor"), r.LowFreqFactor ?? throw Missing("rope_scaling.low_freq_factor"),
                    r.HighFreqFactor ?? throw Missing("rope_scaling.high_freq_factor"), r.OriginalMaxPositionEmbeddings ?? throw Missing("rope_scaling.original_max_position_embeddings"))
                : null
        ).Validate();
    }

    static string FamilyName(ModelFamily family) => family switch
    {
        ModelFamily.Llama => "llama",
        ModelFamily.Gpt2 => "gpt2",
        _ => throw new EppoException($"Model config: Family (model_family) is not a known family ({(int)family})."),
    };

    static ModelFamily ParseFamily(string name) => name switch
    {
        "llama" => ModelFamily.Llama,
        "gpt2" => ModelFamily.Gpt2,
        _ => throw new EppoException($"Model config: model_family '{name}' is unknown; expected llama or gpt2."),
    };

    static EppoException Missing(string jsonName) => new($"Model config JSON lacks {jsonName}.");

    sealed class Document
    {
        [JsonPropertyName("model_family")] public string? ModelFamily { get; set; }
        [JsonPropertyName("model_type")] public string? ModelType { get; set; }
        [JsonPropertyName("vocab_size")] public int? VocabSize { get; set; }
        [JsonPropertyName("hidden_size")] public int? HiddenSize { get; set; }
        [JsonPropertyName("n_embd")] public int? NEmbd { get; set; }
        [JsonPropertyName("num_hidden_layers")] public int? NumHiddenLayers { get; set; }
        [JsonPropertyName("n_layer")] public int? NLayer { get; set; }
        [JsonPropertyName("num_attention_heads")] public int? NumAttentionHeads { get; set; }
        [JsonPropertyName("n_head")] public int? NHead { get; set; }
        [JsonPropertyName("num_key_value_heads")] public int? NumKeyValueHeads { get; set; }
        [JsonPropertyName("intermediate_size")] public int? IntermediateSize { get; set; }
        [JsonPropertyName("n_inner")] public int? NInner { get; set; }
        [JsonPropertyName("max_position_embeddings")] public int? MaxPositionEmbeddings { get; set; }
        [JsonPropertyName("n_positions")] public int? NPositions { get; set; }
        [JsonPropertyName("tie_word_embeddings")] public bool? TieWordEmbeddings { get; set; }
        [JsonPropertyName("rope_theta")] public double? RopeTheta { get; set; }
        [JsonPropertyName("rms_norm_eps")] public double? RmsNormEps { get; set; }
        [JsonPropertyName("layer_norm_epsilon")] public double? LayerNormEpsilon { get; set; }
        [JsonPropertyName("probe_site")] public string? ProbeSite { get; set; }
        [JsonPropertyName("attention_bias")] public bool? AttentionBias { get; set; }
        [JsonPropertyName("rope_scaling")] public RopeScalingDocument? RopeScaling { get; set; }
    }

    /// <summary>Hugging Face's rope_scaling object of rope_type "llama3".</summary>
    internal sealed class RopeScalingDocument
    {
        [JsonPropertyName("rope_type")] public string? RopeType { get; set; }
        [JsonPropertyName("factor")] public double? Factor { get; set; }
        [JsonPropertyName("low_freq_factor")] public double? LowFreqFactor { get; set; }
        [JsonPropertyName("high_freq_factor")] public double? HighFreqFactor { get; set; }
        [JsonPropertyName("original_max_position_embeddings")] public int? OriginalMaxPositionEmbeddings { get; set; }
    }
}
