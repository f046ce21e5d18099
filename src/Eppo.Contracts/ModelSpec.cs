using System.Text.Json.Serialization;

namespace Eppo.Contracts;

/// <summary>
/// Size of the models trained from scratch for the synthetic task (policy, critic and reward model share it), and how
/// the policy is trained: whole (default) or as LoRA adapters on a frozen base (<see cref="Adapter"/>) that may stay
/// in a 16-bit <see cref="Dtype"/>.
/// </summary>
public sealed record ModelSpec
{
    public string Family { get; init; } = "llama";
    public int HiddenSize { get; init; } = 64;
    public int Layers { get; init; } = 2;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 4;
    public int IntermediateSize { get; init; } = 176;

    /// <summary>LoRA adapters on a frozen base; null = full fine-tuning.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdapterSpec? Adapter { get; init; }

    /// <summary>The frozen base's weight dtype: "float32" (null, the default), "bfloat16" or "float16" (only with an adapter).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Dtype { get; init; }

    /// <summary><see cref="Dtype"/> with its default.</summary>
    [JsonIgnore] public string WeightDtype => Dtype ?? "float32";

    public static readonly IReadOnlyList<string> Dtypes = ["float32", "bfloat16", "float16"];

    public void Validate(string source)
    {
        var c = new SpecCheck(source, "model.");
        c.Require(Family is "llama" or "gpt2", "family", $"unknown family '{Family}' (expected llama or gpt2)");
        c.Within(HiddenSize, 1, 65_536, "hidden_size");
        c.Within(Layers, 1, 1024, "layers");
        c.Require(Heads > 0 && HiddenSize % Heads == 0, "heads", $"must be positive and divide hidden_size ({HiddenSize})");
        c.Require(KvHeads > 0 && Heads % KvHeads == 0, "kv_heads", $"must be positive and divide heads ({Heads})");
        c.Within(IntermediateSize, 1, 262_144, "intermediate_size");
        c.Require(Dtypes.Contains(WeightDtype), "dtype", $"must be one of {string.Join(", ", Dtypes)} (got '{Dtype}')");
        c.Require(WeightDtype == "float32" || Adapter is not null, "dtype",
            $"'{Dtype}' keeps a frozen base in 16 bits: it needs model.adapter (full fine-tuning trains fp32 weights)");
        Adapter?.Validate(source);
    }
}
