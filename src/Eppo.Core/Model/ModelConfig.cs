namespace Eppo.Core.Model;

/// <summary>
/// Shape of a decoder-only transformer. Field names follow Hugging Face config.json (see <see cref="Checkpoints.HuggingFaceConfig"/>).
/// For GPT-2, IntermediateSize is the MLP width (HF n_inner, usually 4·HiddenSize) and KvHeads must equal Heads.
/// AttentionBias: q/k/v projections with biases (Qwen2); RopeScaling: Llama 3's frequency scaling (Llama family only).
/// </summary>
public sealed record ModelConfig(
    ModelFamily Family,
    int VocabSize,
    int HiddenSize,
    int Layers,
    int Heads,
    int KvHeads,
    int IntermediateSize,
    int MaxPositions,
    bool TieEmbeddings = false,
    double RopeTheta = 10000,
    double NormEps = 1e-5,
    EnergySite ProbeSite = EnergySite.DownProj,
    bool AttentionBias = false,
    RopeScaling? RopeScaling = null)
{
    public int HeadDim => HiddenSize / Heads;

    /// <summary>A small model for tests and smoke runs (d=32, 2 layers, 4 heads).</summary>
    public static ModelConfig Tiny(
        ModelFamily family = ModelFamily.Llama,
        int vocabSize = 50,
        int hiddenSize = 32,
        int layers = 2,
        int heads = 4,
        EnergySite probeSite = EnergySite.DownProj,
        bool tieEmbeddings = false,
        int maxPositions = 128) =>
        new(family, vocabSize, hiddenSize, layers, heads,
            KvHeads: family == ModelFamily.Llama && heads % 2 == 0 ? heads / 2 : heads,
            IntermediateSize: family == ModelFamily.Llama ? 2 * hiddenSize : 4 * hiddenSize,
            maxPositions, tieEmbeddings, ProbeSite: probeSite);

    /// <summary>Throws <see cref="EppoException"/> naming the first bad field; returns this for chaining.</summary>
    public ModelConfig Validate()
    {
        if (!Enum.IsDefined(Family)) Fail(nameof(Family), "model_family", $"is not a known family ({(int)Family})");
        if (!Enum.IsDefined(ProbeSite)) Fail(nameof(ProbeSite), "probe_site", $"is not a known energy site ({(int)ProbeSite})");
        Positive(VocabSize, nameof(VocabSize), "vocab_size");
        Positive(HiddenSize, nameof(HiddenSize), "hidden_size");
        Positive(Layers, nameof(Layers), "num_hidden_layers");
        Positive(Heads, nameof(Heads), "num_attention_heads");
        Positive(KvHeads, nameof(KvHeads), "num_key_value_heads");
        Positive(IntermediateSize, nameof(IntermediateSize), "intermediate_size");
        Positive(MaxPositions, nameof(MaxPositions), "max_position_embeddings");
        if (HiddenSize % Heads != 0)
            Fail(nameof(Heads), "num_attention_heads", $"({Heads}) must divide HiddenSize ({HiddenSize})");
        if (Heads % KvHeads != 0)
            Fail(nameof(KvHeads), "num_key_value_heads", $"({KvHeads}) must divide Heads ({Heads})");
        if (Family == ModelFamily.Gpt2 && KvHeads != Heads)
            Fail(nameof(KvHeads), "num_key_value_heads", $"({KvHeads}) must equal Heads ({Heads}) for GPT-2");
        if (Family == ModelFamily.Llama && HeadDim % 2 != 0)
            Fail(nameof(Heads), "num_attention_heads", $"gives an odd head dimension {HeadDim}; RoPE needs it even");
        if (!(RopeTheta > 0)) Fail(nameof(RopeTheta), "rope_theta", $"must be positive, got {RopeTheta}");
        if (!(NormEps > 0)) Fail(nameof(NormEps), "norm eps", $"must be positive, got {NormEps}");
        if (Family == ModelFamily.Gpt2 && (AttentionBias || RopeScaling is not null))
            Fail(nameof(AttentionBias), "attention_bias / rope_scaling", "are Llama-family options");
        if (RopeScaling is { } r && !(r.Factor >= 1 && r.LowFreqFactor > 0 && r.HighFreqFactor > r.LowFreqFactor && r.OriginalMaxPositions > 0))
            Fail(nameof(RopeScaling), "rope_scaling", $"needs factor ≥ 1, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0, got {r}");
        return this;
    }

    /// <summary>Hugging Face config.json text (<see cref="Checkpoints.HuggingFaceConfig"/>, the one config format).</summary>
    public string ToJson() => Checkpoints.HuggingFaceConfig.Write(this);

    public static ModelConfig FromJson(string json) => Checkpoints.HuggingFaceConfig.Parse(json);

    static void Positive(int value, string field, string jsonName)
    {
        if (value <= 0) Fail(field, jsonName, $"must be positive, got {value}");
    }

    static void Fail(string field, string jsonName, string problem) =>
        throw new EppoException($"Model config: {field} ({jsonName}) {problem}.");
}
