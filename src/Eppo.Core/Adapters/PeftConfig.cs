using System.Text.Json;
using System.Text.Json.Nodes;

namespace Eppo.Core.Adapters;

/// <summary>
/// PEFT's adapter_config.json for a LoRA adapter: what this system reads and writes of it. Options that change the
/// adapter's math in ways not implemented here (DoRA, per-layer ranks or alphas, LoRA biases, adapted parameters,
/// layer subsets, trained biases) are refused by name rather than silently ignored.
/// </summary>
public sealed record PeftConfig(
    LoraConfig Lora,
    string TaskType = "CAUSAL_LM",
    string? BaseModel = null,
    bool FanInFanOut = false,
    IReadOnlyList<string>? ModulesToSave = null)
{
    public const string FileName = "adapter_config.json";

    /// <summary>Reads adapter_config.json; every problem is one line naming the file and the field.</summary>
    public static PeftConfig Read(string path) => File.Exists(path)
        ? Parse(File.ReadAllText(path), path)
        : throw new EppoException($"{path}: file not found (a PEFT adapter directory has {FileName})");

    /// <summary>The config in <paramref name="text"/>; errors name <paramref name="path"/>.</summary>
    public static PeftConfig Parse(string text, string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(text) as JsonObject ?? throw new EppoException($"{path}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new EppoException($"{path}: not valid JSON ({e.Message})");
        }
        string Where(string field) => $"{path}: field '{field}'";
        T Get<T>(string field, T fallback)
        {
            if (json[field] is not { } node) return fallback;
            try { return node.GetValue<T>(); }
            catch (Exception e) when (e is InvalidOperationException or FormatException) { throw new EppoException($"{Where(field)}: expected {typeof(T).Name}, got {node.ToJsonString()}"); }
        }
        var peftType = Get("peft_type", "LORA");
        if (peftType != "LORA") throw new EppoException($"{Where("peft_type")}: '{peftType}' is not supported (only LORA)");
        if (Get("use_dora", false)) throw new EppoException($"{Where("use_dora")}: DoRA is not supported");
        foreach (var field in new[] { "rank_pattern", "alpha_pattern" })
            if (json[field] is JsonObject { Count: > 0 }) throw new EppoException($"{Where(field)}: per-module {field.Split('_')[0]}s are not supported");
        if (Get("lora_bias", false)) throw new EppoException($"{Where("lora_bias")}: LoRA biases are not supported");
        if (json["target_parameters"] is JsonArray { Count: > 0 } or JsonValue) throw new EppoException($"{Where("target_parameters")}: adapting parameters (not modules) is not supported");
        foreach (var field in new[] { "layers_to_transform", "layers_pattern", "exclude_modules" })
            if (json[field] is JsonArray { Count: > 0 } or JsonValue) throw new EppoException($"{Where(field)}: not supported (every layer the targets match is adapted)");
        var bias = Get("bias", "none");
        if (bias != "none") throw new EppoException($"{Where("bias")}: '{bias}' trains biases, which is not supported (only \"none\")");
        var rank = Get("r", 8);
        var alpha = Get("lora_alpha", 8.0);
        var targets = json["target_modules"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var pattern) => LoraTargets.Regex(pattern),
            JsonArray list => LoraTargets.Of([.. list.Select(n => n?.GetValue<string>() ?? throw new EppoException($"{Where("target_modules")}: null entry"))]),
            _ => throw new EppoException($"{Where("target_modules")}: required (a list of module names, a regular expression or \"all-linear\")"),
        };
        var save = json["modules_to_save"] is JsonArray m ? m.Select(n => n!.GetValue<string>()).ToList() : null;
        var lora = new LoraConfig(rank, alpha, targets, Get("use_rslora", false));
        try { lora.Validate(path); }
        catch (EppoException e) { throw new EppoException(e.Message.Replace($"{path}.r", Where("r")).Replace($"{path}.alpha", Where("lora_alpha"))); }
        return new PeftConfig(lora, Get("task_type", "CAUSAL_LM"), Get<string?>("base_model_name_or_path", null), Get("fan_in_fan_out", false),
            save is { Count: > 0 } ? save : null);
    }

    /// <summary>The file as PEFT writes it: its fields, keys sorted.</summary>
    public string ToJson()
    {
        var fields = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["alpha_pattern"] = new Dictionary<string, object>(),
            ["base_model_name_or_path"] = BaseModel,
            ["bias"] = "none",
            ["fan_in_fan_out"] = FanInFanOut,
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["layers_pattern"] = null,
            ["layers_to_transform"] = null,
            ["lora_alpha"] = Lora.Alpha,
            ["lora_bias"] = false,
            ["lora_dropout"] = 0.0,
            ["modules_to_save"] = ModulesToSave,
            ["peft_type"] = "LORA",
            ["r"] = Lora.Rank,
            ["rank_pattern"] = new Dictionary<string, object>(),
            ["target_modules"] = Lora.Targets.ToPeft(),
            ["task_type"] = TaskType,
            ["use_dora"] = false,
            ["use_rslora"] = Lora.RsLora,
        };
        return JsonSerializer.Serialize(fields, new JsonSerializerOptions { WriteIndented = true });
    }
}
