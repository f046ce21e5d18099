using System.Text.Encodings.Web;
using System.Text.Json;

namespace Eppo.Core.Text;

/// <summary>
/// A closed vocabulary for synthetic tasks: one id per whitespace-separated word, after the specials
/// &lt;pad&gt; = 0, &lt;bos&gt; = 1, &lt;eos&gt; = 2. There is no &lt;unk&gt;: an unknown word is an error, so a task
/// cannot silently train on text its vocabulary does not cover. Decode skips pad/bos/eos and joins with spaces.
/// </summary>
public sealed class WordTokenizer : ITokenizer
{
    public const string Pad = "<pad>", Bos = "<bos>", Eos = "<eos>";
    static readonly string[] Specials = [Pad, Bos, Eos];

    readonly string[] words;                 // id → word, specials first
    readonly Dictionary<string, int> ids;

    /// <summary>vocabulary: the task's words (specials are added in front; listing them too is allowed).</summary>
    public WordTokenizer(IEnumerable<string> vocabulary)
    {
        var list = new List<string>(Specials);
        ids = new Dictionary<string, int>(StringComparer.Ordinal) { [Pad] = 0, [Bos] = 1, [Eos] = 2 };
        foreach (var word in vocabulary)
        {
            if (string.IsNullOrEmpty(word) || word.Any(char.IsWhiteSpace))
                throw new EppoException($"word tokenizer: vocabulary entry {list.Count - Specials.Length} ('{word}') is empty or contains whitespace");
            if (ids.ContainsKey(word))
            {
                if (Specials.Contains(word)) continue;
                throw new EppoException($"word tokenizer: duplicate word '{word}' in the vocabulary");
            }
            ids[word] = list.Count;
            list.Add(word);
        }
        words = [.. list];
    }

    public int VocabSize => words.Length;
    public int PadId => 0;
    public int BosId => 1;
    public int EosId => 2;

    /// <summary>The vocabulary in id order, specials included.</summary>
    public IReadOnlyList<string> Words => words;

    public int[] Encode(string text)
    {
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var result = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
            result[i] = ids.TryGetValue(tokens[i], out var id)
                ? id
                : throw new EppoException($"word tokenizer: unknown word '{tokens[i]}' at position {i} (the vocabulary has {words.Length} words and no <unk>)");
        return result;
    }

    public string Decode(IEnumerable<int> tokenIds)
    {
        var parts = new List<string>();
        foreach (var id in tokenIds)
        {
            if ((uint)id >= (uint)words.Length) throw new EppoException($"word tokenizer: id {id} is outside the vocabulary (size {words.Length})");
            if (id > EosId) parts.Add(words[id]);
        }
        return string.Join(' ', parts);
    }

    /// <summary>JSON list of every word in id order (specials included).</summary>
    public string ToJson() => JsonSerializer.Serialize(words, JsonOptions);

    // Readable specials (<pad>, not \u003Cpad\u003E): the file is data, never embedded in HTML.
    static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static WordTokenizer FromJson(string json)
    {
        var list = JsonSerializer.Deserialize<string[]>(json) ?? throw new EppoException("word tokenizer: JSON is null, expected a list of words");
        if (list.Length < Specials.Length || !list.Take(Specials.Length).SequenceEqual(Specials))
            throw new EppoException("word tokenizer: JSON must start with <pad>, <bos>, <eos>");
        return new WordTokenizer(list);
    }
}
