using System.Text.Json;
using Eppo.Core.Model;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// Loads a Hugging Face checkpoint directory — config.json and model.safetensors, or shards listed in
/// model.safetensors.index.json — into a <see cref="DecoderModel"/>, tensor by tensor. GPT-2's Conv1D weights are
/// stored in × out and are transposed; its tensors may carry the "transformer." prefix or not; a tied head takes the
/// embedding. A missing, misshapen or unknown tensor, or one holding NaN or Inf, is one error naming it.
/// </summary>
public static class HuggingFaceCheckpoint
{
    public const string ConfigFile = "config.json", WeightsFile = "model.safetensors", IndexFile = "model.safetensors.index.json";

    /// <summary>Buffers some checkpoints carry that are computed, not learned (GPT-2's causal mask, old RoPE caches).</summary>
    static readonly string[] IgnoredSuffixes = [".attn.bias", ".attn.masked_bias", ".rotary_emb.inv_freq"];

    static readonly string[] Conv1D = [".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight"];

    /// <summary>GPT-2 weights Hugging Face stores in × out (its Conv1D), ours out × in (Linear).</summary>
    public static bool IsConv1D(string name) => Conv1D.Any(name.EndsWith);

    public static bool IsCheckpoint(string dir) => File.Exists(Path.Combine(dir, ConfigFile)) &&
        (File.Exists(Path.Combine(dir, WeightsFile)) || File.Exists(Path.Combine(dir, IndexFile)));

    /// <summary>The model; its probe site is <paramref name="site"/> when given, else config.json's "probe_site", else down_proj.</summary>
    /// <param name="dtype">The dtype a language model's weights are kept in (16-bit for a frozen base).</param>
    public static DecoderModel Load(string dir, EnergySite? site = null, ScalarType dtype = ScalarType.Float32)
    {
        var (config, architecture) = HuggingFaceConfig.Read(Path.Combine(dir, ConfigFile), site);
        var files = Tensors(dir);
        var model = DecoderModel.ToOverwrite(config, HuggingFaceConfig.Head(architecture), dtype: dtype);
        try
        {
            var gpt2 = config.Family == ModelFamily.Gpt2;
            var prefixed = !gpt2 || files.Keys.Any(k => k.StartsWith("transformer.", StringComparison.Ordinal));
            string FileName(string ours) => gpt2 && !prefixed && ours.StartsWith("transformer.", StringComparison.Ordinal) ? ours["transformer.".Length..] : ours;
            var used = new HashSet<string>();
            using (no_grad())
            {
                foreach (var (name, parameter) in model.state_dict())
                {
                    var stored = FileName(name);
                    if (!files.TryGetValue(stored, out var file))
                        throw new EppoException($"{dir}: tensor '{stored}' is missing ({architecture}, expected shape [{string.Join(", ", parameter.shape)}])");
                    var transpose = gpt2 && IsConv1D(stored);
                    try
                    {
                        file.ReadInto(stored, parameter, transpose);
                    }
                    catch (SafetensorsFile.ShapeMismatchException e)
                    {
                        var shape = transpose && e.Stored.Length == 2 ? [e.Stored[1], e.Stored[0]] : e.Stored;
                        throw new EppoException($"{dir}: tensor '{stored}' has shape [{string.Join(", ", shape)}], {architecture} with this config.json expects [{string.Join(", ", parameter.shape)}]");
                    }
                    used.Add(stored);
                }
            }
            var headName = FileName("lm_head.weight");
            var unknown = files.Keys.Where(k => !used.Contains(k) && !IgnoredSuffixes.Any(k.EndsWith) && !(config.TieEmbeddings && k == headName)).Order().ToList();
            if (unknown.Count > 0)
                throw new EppoException($"{dir}: tensor '{unknown[0]}' is not part of a {architecture} with this config.json" +
                                        (unknown.Count > 1 ? $" (and {unknown.Count - 1} more)" : ""));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>What `eppo model inspect` shows: the architecture and shape, and the tensors as stored.</summary>
    public sealed record Summary(string Architecture, ModelConfig Config, long Parameters, IReadOnlyList<string> Dtypes,
        IReadOnlyList<string> Files, IReadOnlyList<string> TokenizerFiles);

    public static Summary Inspect(string dir)
    {
        var (config, architecture) = HuggingFaceConfig.Read(Path.Combine(dir, ConfigFile));
        var tensors = Tensors(dir);
        var learned = tensors.Where(t => !IgnoredSuffixes.Any(t.Key.EndsWith)).Select(t => t.Value.Entries[t.Key]).ToArray();
        return new Summary(architecture, config, learned.Sum(e => e.Shape.Aggregate(1L, (a, b) => a * b)),
            learned.Select(e => e.Dtype).Distinct().Order().ToArray(),
            tensors.Values.Distinct().Select(f => Path.GetFileName(f.Source)).Order().ToArray(),
            Text.TokenizerFiles.In(dir));
    }

    /// <summary>Every tensor name of the checkpoint and the file that holds it.</summary>
    static Dictionary<string, SafetensorsFile> Tensors(string dir)
    {
        var single = Path.Combine(dir, WeightsFile);
        if (File.Exists(single))
        {
            var file = SafetensorsFile.Open(single);
            return file.Entries.Keys.ToDictionary(k => k, _ => file);
        }
        var index = Path.Combine(dir, IndexFile);
        if (!File.Exists(index)) throw new EppoException($"{dir}: neither {WeightsFile} nor {IndexFile} (safetensors weights) found");
        Dictionary<string, string> map;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(index));
            map = json.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new EppoException($"{index}: no valid \"weight_map\" ({e.Message.Split(". ")[0]})");
        }
        var shards = map.Values.Distinct().ToDictionary(f => f, f => SafetensorsFile.Open(Path.Combine(dir, f)));
        foreach (var (name, shard) in map)
            if (!shards[shard].Entries.ContainsKey(name))
                throw new EppoException($"{index}: tensor '{name}' is listed in {shard}, which does not hold it");
        return map.ToDictionary(kv => kv.Key, kv => shards[kv.Value]);
    }
}
