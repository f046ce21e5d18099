using Microsoft.ML.Tokenizers;

namespace Eppo.Core.Text;

/// <summary>
/// A model's own tokenizer from its checkpoint directory: tokenizer.json (byte-level BPE) or tokenizer.model
/// (SentencePiece BPE, as Llama 2, Mistral and TinyLlama ship it), with BOS/EOS/pad and whether to add BOS from
/// tokenizer_config.json (falling back to the post-processor and the SentencePiece model). <see cref="Encode"/> adds
/// no special tokens, as <see cref="ITokenizer"/> requires; <see cref="EncodeForModel"/> adds what the model
/// expects, as transformers' tokenizer(text) does. Decode drops special tokens.
/// </summary>
public sealed class HuggingFaceTokenizer : ITokenizer
{
    public const string SentencePieceFile = "tokenizer.model";

    readonly Tokenizer inner;
    readonly SentencePieceTokenizer? sentencePiece;
    readonly HashSet<int> specialIds;

    HuggingFaceTokenizer(Tokenizer inner, string source, IReadOnlyDictionary<string, int> specials, int vocabSize,
        TokenizerConfig config, int bosId, int eosId, int padId, bool addBos, bool addEos)
    {
        this.inner = inner;
        sentencePiece = inner as SentencePieceTokenizer;
        (Source, SpecialTokens, VocabSize, Config) = (source, specials, vocabSize, config);
        specialIds = specials.Values.ToHashSet();
        (BosId, EosId, PadId, AddBos, AddEos) = (bosId, eosId, padId, addBos, addEos);
    }

    /// <summary>The file the vocabulary came from: tokenizer.json or tokenizer.model.</summary>
    public string Source { get; }
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }
    public TokenizerConfig Config { get; }
    public int VocabSize { get; }
    /// <summary>-1 where the model has no BOS token (GPT-2 uses its end-of-text token; Qwen2 has none).</summary>
    public int BosId { get; }
    public int EosId { get; }
    public int PadId { get; }
    public bool AddBos { get; }
    public bool AddEos { get; }

    public static bool Exists(string dir) =>
        File.Exists(Path.Combine(dir, TokenizerJson.FileName)) || File.Exists(Path.Combine(dir, SentencePieceFile));

    public static HuggingFaceTokenizer Load(string dir)
    {
        var config = TokenizerConfig.Read(dir);
        var sentencePiecePath = Path.Combine(dir, SentencePieceFile);
        var jsonPath = Path.Combine(dir, TokenizerJson.FileName);
        // Llama 2 and Mistral ship both; their tokenizer.json is a conversion of tokenizer.model.
        if (File.Exists(sentencePiecePath)) return FromSentencePiece(sentencePiecePath, config);
        if (File.Exists(jsonPath)) return FromJson(jsonPath, config);
        throw new EppoException($"{dir}: no tokenizer ({TokenizerJson.FileName} or {SentencePieceFile})");
    }

    static HuggingFaceTokenizer FromJson(string path, TokenizerConfig config)
    {
        var loaded = TokenizerJson.Read(path);
        var tokenizer = loaded.Tokenizer;
        var vocabSize = Math.Max(tokenizer.Vocabulary.Values.DefaultIfEmpty(-1).Max(), loaded.AddedTokens.Values.DefaultIfEmpty(-1).Max()) + 1;
        int Id(string? token, string field) => token is null ? -1
            : loaded.AddedTokens.TryGetValue(token, out var id) || tokenizer.Vocabulary.TryGetValue(token, out id) ? id
            : throw new EppoException($"{path}: the {field} '{token}' of {TokenizerConfig.FileName} is not in the vocabulary");
        var bos = Id(config.BosToken ?? loaded.PrefixToken, "bos_token");
        var eos = Id(config.EosToken ?? loaded.SuffixToken ?? loaded.PrefixToken, "eos_token");
        if (eos < 0) throw new EppoException($"{path}: no end-of-sequence token (set eos_token in {TokenizerConfig.FileName})");
        var pad = Id(config.PadToken, "pad_token");
        var addBos = bos >= 0 && (config.AddBosToken ?? loaded.PrefixToken is not null);
        return new HuggingFaceTokenizer(tokenizer, TokenizerJson.FileName, loaded.AddedTokens, vocabSize, config,
            bos, eos, pad >= 0 ? pad : eos, addBos, config.AddEosToken || loaded.SuffixToken is not null);
    }

    static HuggingFaceTokenizer FromSentencePiece(string path, TokenizerConfig config)
    {
        SentencePieceTokenizer tokenizer;
        try
        {
            using var stream = File.OpenRead(path);
            tokenizer = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is not EppoException)
        {
            throw new EppoException($"{path}: not a SentencePiece BPE model this reader supports ({e.Message.Split(". ")[0]})");
        }
        var vocabSize = tokenizer.Vocabulary.Values.Max() + 1;
        int Id(string? token, int fallback) => token is not null && tokenizer.Vocabulary.TryGetValue(token, out var id) ? id : fallback;
        var bos = Id(config.BosToken, tokenizer.BeginningOfSentenceId);
        var eos = Id(config.EosToken, tokenizer.EndOfSentenceId);
        var specials = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [tokenizer.BeginningOfSentenceToken] = tokenizer.BeginningOfSentenceId,
            [tokenizer.EndOfSentenceToken] = tokenizer.EndOfSentenceId,
            [tokenizer.UnknownToken] = tokenizer.UnknownId,
        };
        return new HuggingFaceTokenizer(tokenizer, SentencePieceFile, specials, vocabSize, config,
            bos, eos, Id(config.PadToken, eos), config.AddBosToken ?? true, config.AddEosToken);
    }

    public int[] Encode(string text) => sentencePiece is not null
        ? [.. sentencePiece.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false)]
        : [.. inner.EncodeToIds(text)];

    /// <summary>The ids transformers' tokenizer(text) gives: BOS and EOS where the model adds them.</summary>
    public int[] EncodeForModel(string text) => [.. AddBos ? [BosId] : Array.Empty<int>(), .. Encode(text), .. AddEos ? [EosId] : Array.Empty<int>()];

    /// <summary>A prompt's ids: BOS where the model adds one, unless the text (a rendered chat template) already starts with it.</summary>
    public int[] EncodePrompt(string text)
    {
        var bosToken = SpecialTokens.FirstOrDefault(s => s.Value == BosId).Key;
        var bosInText = bosToken is not null && Source == TokenizerJson.FileName && text.StartsWith(bosToken, StringComparison.Ordinal);
        return [.. AddBos && !bosInText ? [BosId] : Array.Empty<int>(), .. Encode(text)];
    }

    /// <summary>The token string of a special id, or "" (what a chat template writes for bos_token / eos_token).</summary>
    public string TokenText(int id) => id < 0 ? "" : SpecialTokens.FirstOrDefault(s => s.Value == id).Key ?? "";

    public string Decode(IEnumerable<int> ids)
    {
        var list = ids.ToList();
        foreach (var id in list)
            if ((uint)id >= (uint)VocabSize) throw new EppoException($"{Source}: id {id} is outside the vocabulary (size {VocabSize})");
        var kept = list.Where(id => !specialIds.Contains(id));
        return sentencePiece is not null ? sentencePiece.Decode(kept, considerSpecialTokens: false) : ((BpeTokenizer)inner).Decode(kept, considerSpecialTokens: false);
    }
}
