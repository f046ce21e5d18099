using System.Text.Json;
using System.Text.Json.Nodes;
using Eppo.Contracts;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Core.Preparation;

namespace Eppo.Core.Planning;

/// <summary>
/// What `eppo plan` reads: a run spec, every field checked as `run start` checks it except that the files and
/// directories it names (text.policy, text.data, prompts_file, reward checkpoints, sft.source) need not exist on the
/// planning machine; and a model's config from a checkpoint directory, without its weights.
/// </summary>
public static class PlanSpec
{
    /// <summary>A spec's run, and its text.policy (the model a text run trains) when it names one.</summary>
    public sealed record Loaded(PlanRun Run, string? Policy);

    /// <summary>The run of the spec at <paramref name="path"/>; each problem is one line naming the file and the field.</summary>
    public static Loaded Load(string path)
    {
        if (!File.Exists(path)) throw new EppoException($"{path}: run spec file not found");
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path), null, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                   ?? throw new EppoException($"{path}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new EppoException($"{path}: not valid JSON ({e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].TrimEnd('.', ' ')})");
        }
        var text = new TextSpec();
        if (json["text"] is JsonObject section)
        {
            try
            {
                text = section.Deserialize<TextSpec>(RunSpec.Json) ?? text;
            }
            catch (JsonException e)
            {
                var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" field 'text.{e.Path.TrimStart('$', '.')}':";
                throw new EppoException($"{path}:{field} {e.Message.Split(" Path:")[0].Split(". LineNumber")[0]}");
            }
            new SpecCheck(path, "text.").Within(text.MaxPromptTokens, 1, 1_000_000, "max_prompt_tokens");
        }
        // The text section is only checked above, and directories the run reads stand in for by one that exists
        // here (the spec's own): they live where the run will, not here. Their number still counts (reward models).
        json.Remove("text");
        json.Remove("prompts_file");
        if (json["task"]?.GetValueKind() == JsonValueKind.String && json["task"]!.GetValue<string>() == "text") json["task"] = "planned-text";
        var here = Path.GetDirectoryName(Path.GetFullPath(path))!;
        StandIn(json["reward"]?["checkpoints"] as JsonArray, here);
        StandIn(json["reward"] as JsonObject, "source", here, RewardSpec.Train, RewardSpec.Gold, RewardSpec.FromCheckpoints);
        StandIn(json["sft"] as JsonObject, "source", here, "train");
        var spec = RunSpec.Parse(json.ToJsonString(), path);
        return new Loaded(PlanRun.From(spec) with { PromptTokens = text.MaxPromptTokens }, text.Policy);
    }

    static void StandIn(JsonArray? directories, string here)
    {
        for (var i = 0; i < (directories?.Count ?? 0); i++)
            if (directories![i] is JsonValue value && value.TryGetValue<string>(out var dir) && !Directory.Exists(dir)) directories[i] = here;
    }

    static void StandIn(JsonObject? section, string field, string here, params string[] keywords)
    {
        if (section?[field] is JsonValue value && value.TryGetValue<string>(out var dir) && !keywords.Contains(dir) && !string.IsNullOrWhiteSpace(dir) && !Directory.Exists(dir))
            section[field] = here;
    }

    /// <summary>The config of a checkpoint directory: Hugging Face's config.json, or ours (its metadata).</summary>
    public static ModelConfig ReadModel(string dir)
    {
        if (!Directory.Exists(dir)) throw new EppoException($"--model: {dir}: no such directory");
        if (!File.Exists(Path.Combine(dir, Checkpoint.ManifestFile)))
            return HuggingFaceConfig.Read(Path.Combine(dir, HuggingFaceCheckpoint.ConfigFile)).Config;
        var meta = Checkpoint.ReadMetadata<ModelStore.Metadata>(dir);
        if (meta.Adapter is { } adapter)
            throw new EppoException($"--model: {dir} holds LoRA adapter weights; plan the model they adapt ({adapter.Base})");
        return HuggingFaceConfig.Parse(meta.Config, $"{Path.Combine(dir, Checkpoint.MetadataFile)}: config");
    }
}
