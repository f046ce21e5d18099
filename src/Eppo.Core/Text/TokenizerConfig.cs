using System.Text.Json;

namespace Eppo.Core.Text;

/// <summary>
/// What a model's tokenizer_config.json says beside the vocabulary: its BOS/EOS/pad/unk tokens (a string or an
/// AddedToken object {"content": …}), whether BOS/EOS are added, the context length and the chat template (a string,
/// or a list of named templates of which "default" is used). Every field is optional.
/// </summary>
public sealed record TokenizerConfig(
    string? BosToken, string? EosToken, string? PadToken, string? UnknownToken,
    bool? AddBosToken, bool AddEosToken, long? ModelMaxLength, string? ChatTemplate)
{
    public const string FileName = "tokenizer_config.json";

    public static readonly TokenizerConfig Empty = new(null, null, null, null, null, false, null, null);

    public static TokenizerConfig Read(string dir)
    {
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) return Empty;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            return new TokenizerConfig(
                Token(root, "bos_token", path), Token(root, "eos_token", path), Token(root, "pad_token", path), Token(root, "unk_token", path),
                Bool(root, "add_bos_token", path), Bool(root, "add_eos_token", path) ?? false,
                root.TryGetProperty("model_max_length", out var max) && max.ValueKind == JsonValueKind.Number && max.TryGetInt64(out var length) ? length : null,
                Template(root, path));
        }
        catch (JsonException e)
        {
            throw new EppoException($"{path}: not valid JSON ({e.Message.Split(". ")[0]})");
        }
    }

    static string? Token(JsonElement root, string field, string path)
    {
        if (!root.TryGetProperty(field, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String => content.GetString(),
            _ => throw new EppoException($"{path}: field '{field}' must be a string, an object with \"content\", or null"),
        };
    }

    static bool? Bool(JsonElement root, string field, string path)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new EppoException($"{path}: field '{field}' must be true or false");
    }

    static string? Template(JsonElement root, string path)
    {
        if (!root.TryGetProperty("chat_template", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        if (value.ValueKind == JsonValueKind.Array)
            foreach (var named in value.EnumerateArray())
                if (named.TryGetProperty("name", out var name) && name.GetString() == "default" && named.TryGetProperty("template", out var template))
                    return template.GetString();
        throw new EppoException($"{path}: field 'chat_template' must be a string or a list with a \"default\" template");
    }
}
