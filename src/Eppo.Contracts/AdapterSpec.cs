using System.Text.Json;
using System.Text.Json.Serialization;

namespace Eppo.Contracts;

/// <summary>
/// model.adapter: train LoRA adapters on one frozen base instead of whole models (PEFT's conventions). The reference
/// policy is the base with the adapter off; the critic is a second adapter with a value head on the same base
/// ("adapter") or a whole model of its own ("separate").
/// </summary>
public sealed record AdapterSpec
{
    /// <summary>Rank r (PEFT's r). Default 16.</summary>
    public int? R { get; init; }

    /// <summary>lora_alpha; the delta is scaled by alpha / r (alpha / √r with rslora). Default 2r.</summary>
    public double? Alpha { get; init; }

    /// <summary>Module names (a linear matches when its path ends with one) or "all-linear" (every linear of the blocks, not the head).</summary>
    [JsonConverter(typeof(TargetsConverter))]
    public IReadOnlyList<string>? Targets { get; init; }

    public bool? Rslora { get; init; }

    /// <summary>"adapter" (a second adapter and a value head on the base) or "separate" (a whole critic model).</summary>
    public string Critic { get; init; } = "adapter";

    public const int DefaultRank = 16;
    public static readonly IReadOnlyList<string> DefaultTargets = ["all-linear"];
    public static readonly IReadOnlyList<string> Critics = ["adapter", "separate"];

    public void Validate(string source)
    {
        var c = new SpecCheck(source, "model.adapter.");
        if (R is { } r) c.Within(r, 1, 65_536, "r");
        if (Alpha is { } alpha) c.Within(alpha, 0, 1e6, "alpha", openBelow: true);
        c.Require(Targets is null || (Targets.Count > 0 && Targets.All(t => !string.IsNullOrWhiteSpace(t))), "targets", "must name at least one module (or \"all-linear\")");
        c.Require(Critics.Contains(Critic), "critic", $"must be one of {string.Join(", ", Critics)} (got '{Critic}')");
    }

    /// <summary>"all-linear" or ["q_proj", "v_proj"]: a string is a list of one.</summary>
    sealed class TargetsConverter : JsonConverter<IReadOnlyList<string>>
    {
        public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? [reader.GetString()!] : JsonSerializer.Deserialize<string[]>(ref reader, options);

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToArray(), options);
    }
}
