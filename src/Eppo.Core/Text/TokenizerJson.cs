using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Eppo.Core.Text;

/// <summary>
/// Reads a Hugging Face tokenizer.json with a byte-level BPE model (GPT-2, Llama 3, Qwen2, DeepSeek, SmolLM) into a
/// Microsoft.ML.Tokenizers <see cref="BpeTokenizer"/>: vocabulary and merges, the pre-tokenizer (ByteLevel with
/// GPT-2's regex, or Split patterns followed by ByteLevel), an NFC normalizer, and every added token, which is
/// matched whole in the text before pre-tokenization as Hugging Face does. SentencePiece-style BPE (byte fallback,
/// Metaspace) is read from tokenizer.model instead; anything else is one error naming the component.
/// </summary>
public static class TokenizerJson
{
    public const string FileName = "tokenizer.json";

    /// <summary>The regex ByteLevel uses when use_regex is true (the tokenizers crate's, from GPT-2).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>A loaded tokenizer.json: the tokenizer, its added tokens, and whether its post-processor adds BOS/EOS.</summary>
    public sealed record Loaded(BpeTokenizer Tokenizer, IReadOnlyDictionary<string, int> AddedTokens, string? PrefixToken, string? SuffixToken);

    public static Loaded Read(string path)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new EppoException($"{path}: not valid JSON ({e.Message.Split(". ")[0]})");
        }
        using (json)
        {
            var root = json.RootElement;
            var model = Required(root, "model", path);
            var type = model.TryGetProperty("type", out var t) ? t.GetString() : "BPE";
            if (type != "BPE") throw new EppoException($"{path}: model type '{type}' is not supported (byte-level BPE only; SentencePiece models load from tokenizer.model)");
            var byteLevel = HasByteLevel(root, "pre_tokenizer");
            if (!byteLevel)
                throw new EppoException(model.TryGetProperty("byte_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True
                    ? $"{path}: a SentencePiece-style BPE (byte_fallback); put the model's tokenizer.model beside it, which is read instead"
                    : $"{path}: pre_tokenizer has no ByteLevel step; only byte-level BPE tokenizer.json files are supported");

            var added = new Dictionary<string, int>(StringComparer.Ordinal);
            if (root.TryGetProperty("added_tokens", out var addedTokens) && addedTokens.ValueKind == JsonValueKind.Array)
                foreach (var token in addedTokens.EnumerateArray())
                    added[Required(token, "content", path).GetString()!] = Required(token, "id", path).GetInt32();

            var vocabulary = Required(model, "vocab", path).EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32())).ToList();
            var merges = Required(model, "merges", path).EnumerateArray().Select(m => m.ValueKind == JsonValueKind.Array
                ? string.Join(' ', m.EnumerateArray().Select(part => part.GetString()))
                : m.GetString()!).ToList();
            var options = new BpeOptions(vocabulary)
            {
                Merges = merges,
                ByteLevel = true,
                SpecialTokens = added,
                PreTokenizer = PreTokenizerOf(root, path, added),
                Normalizer = NormalizerOf(root, path),
            };
            var (prefix, suffix) = Template(root);
            return new Loaded(BpeTokenizer.Create(options), added, prefix, suffix);
        }
    }

    static JsonElement Required(JsonElement element, string field, string path) =>
        element.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new EppoException($"{path}: field '{field}' is missing");

    static IEnumerable<JsonElement> Steps(JsonElement root, string field, string listField)
    {
        if (!root.TryGetProperty(field, out var step) || step.ValueKind != JsonValueKind.Object) yield break;
        if (step.TryGetProperty("type", out var type) && type.GetString() == "Sequence" && step.TryGetProperty(listField, out var list))
            foreach (var inner in list.EnumerateArray()) yield return inner;
        else yield return step;
    }

    static string TypeOf(JsonElement step) => step.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "";

    static bool HasByteLevel(JsonElement root, string field) => Steps(root, field, "pretokenizers").Any(s => TypeOf(s) == "ByteLevel");

    static PreTokenizer PreTokenizerOf(JsonElement root, string path, IReadOnlyDictionary<string, int> added)
    {
        var patterns = new List<string>();
        foreach (var step in Steps(root, "pre_tokenizer", "pretokenizers"))
        {
            switch (TypeOf(step))
            {
                case "ByteLevel":
                    if (step.TryGetProperty("add_prefix_space", out var prefixSpace) && prefixSpace.ValueKind == JsonValueKind.True)
                        throw new EppoException($"{path}: pre_tokenizer ByteLevel with add_prefix_space true is not supported");
                    if (!step.TryGetProperty("use_regex", out var useRegex) || useRegex.ValueKind == JsonValueKind.True) patterns.Add(Gpt2Pattern);
                    break;
                case "Split":
                    var behavior = step.TryGetProperty("behavior", out var b) ? b.GetString() : "Isolated";
                    var invert = step.TryGetProperty("invert", out var i) && i.ValueKind == JsonValueKind.True;
                    if (behavior != "Isolated" || invert)
                        throw new EppoException($"{path}: pre_tokenizer Split with behavior '{behavior}'{(invert ? " inverted" : "")} is not supported (Isolated only)");
                    var pattern = Required(step, "pattern", path);
                    patterns.Add(pattern.TryGetProperty("Regex", out var regex) ? regex.GetString()! : Regex.Escape(Required(pattern, "String", path).GetString()!));
                    break;
                default:
                    throw new EppoException($"{path}: pre_tokenizer step '{TypeOf(step)}' is not supported (ByteLevel and Split are)");
            }
        }
        if (patterns.Count == 0) throw new EppoException($"{path}: pre_tokenizer splits nothing (no regex)");
        var splitters = patterns.Select(p => (PreTokenizer)new RegexPreTokenizer(new Regex(p, RegexOptions.Compiled), added)).ToList();
        return splitters.Count == 1 ? splitters[0] : new CompositePreTokenizer(splitters, added);
    }

    static Normalizer? NormalizerOf(JsonElement root, string path)
    {
        Normalizer? result = null;
        foreach (var step in Steps(root, "normalizer", "normalizers"))
            result = TypeOf(step) == "NFC" ? new NfcNormalizer()
                : throw new EppoException($"{path}: normalizer '{TypeOf(step)}' is not supported (NFC is)");
        return result;
    }

    /// <summary>The special tokens a TemplateProcessing post-processor puts around a single sequence.</summary>
    static (string? Prefix, string? Suffix) Template(JsonElement root)
    {
        foreach (var step in Steps(root, "post_processor", "processors"))
        {
            if (TypeOf(step) != "TemplateProcessing" || !step.TryGetProperty("single", out var single)) continue;
            string? prefix = null, suffix = null;
            var seenSequence = false;
            foreach (var piece in single.EnumerateArray())
            {
                if (piece.TryGetProperty("Sequence", out _)) { seenSequence = true; continue; }
                if (!piece.TryGetProperty("SpecialToken", out var special)) continue;
                var id = special.GetProperty("id").GetString();
                if (seenSequence) suffix = id; else prefix = id;
            }
            return (prefix, suffix);
        }
        return (null, null);
    }
}
