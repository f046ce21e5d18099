using System.Text.Json;
using Eppo.Core.Text;
using Eppo.Tests;

namespace Eppo.Core.Tests.Text;

/// <summary>
/// Tokenizers in Hugging Face's formats, written by an independent script (Fixtures/Tokenizers/make_tokenizers.py):
/// byte-level BPE tokenizer.json files with GPT-2's, Llama 3's and Qwen2's pre-tokenizers and special tokens, and a
/// Llama-2-style SentencePiece tokenizer.model. The expected ids come from Hugging Face's own tokenizers
/// (@huggingface/tokenizers) and from sentencepiece itself.
/// </summary>
public sealed class HuggingFaceTokenizerTests
{
    static readonly string Fixtures = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "Tokenizers");
    static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference.json"))).RootElement;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "gpt2", "llama3", "qwen2", "llama2-sp" })
            for (var i = 0; i < Reference.GetProperty(name).GetProperty("encodings").GetArrayLength(); i++)
                data.Add(name, i);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void EncodesAndDecodesAsHuggingFaceDoes(string name, int sample)
    {
        var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(Fixtures, name));
        var expected = Reference.GetProperty(name).GetProperty("encodings")[sample];
        var text = expected.GetProperty("text").GetString()!;
        var ids = expected.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray();

        Assert.Equal(ids, tokenizer.EncodeForModel(text));
        Assert.Equal(expected.GetProperty("decoded").GetString(), tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("gpt2", "tokenizer.json", "<|endoftext|>", "<|endoftext|>", "<|endoftext|>", false)] // GPT-2 adds nothing
    [InlineData("llama3", "tokenizer.json", "<|begin_of_text|>", "<|eot_id|>", "<|eot_id|>", true)]
    [InlineData("qwen2", "tokenizer.json", null, "<|im_end|>", "<|endoftext|>", false)]             // Qwen2 has no BOS
    [InlineData("llama2-sp", "tokenizer.model", "<s>", "</s>", "</s>", true)]
    public void SpecialTokensComeFromTheModelsFiles(string name, string source, string? bos, string eos, string pad, bool addsBos)
    {
        var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(Fixtures, name));
        Assert.Equal(source, tokenizer.Source);
        Assert.Equal(Reference.GetProperty(name).GetProperty("vocab_size").GetInt32(), tokenizer.VocabSize);
        Assert.Equal((SpecialId(name, bos), SpecialId(name, eos), SpecialId(name, pad), addsBos),
            (tokenizer.BosId, tokenizer.EosId, tokenizer.PadId, tokenizer.AddBos));
    }

    /// <summary>A special token's id as the fixture's files give it (the SentencePiece trainer put unk, BOS, EOS at 0, 1, 2).</summary>
    static int SpecialId(string name, string? token)
    {
        if (token is null) return -1;
        if (name == "llama2-sp") return token == "<s>" ? 1 : 2;
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, name, "tokenizer.json")));
        return json.RootElement.GetProperty("added_tokens").EnumerateArray().Single(t => t.GetProperty("content").GetString() == token).GetProperty("id").GetInt32();
    }

    [Fact]
    public void ATokenizerItCannotReadIsOneLineNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("eppo-tok-").FullName;
        try
        {
            var missing = Assert.Throws<EppoException>(() => HuggingFaceTokenizer.Load(dir));
            Assert.Contains("no tokenizer", missing.Message);

            File.WriteAllText(Path.Combine(dir, "tokenizer.json"), """{"model": {"type": "WordPiece", "vocab": {}}}""");
            var wordPiece = Assert.Throws<EppoException>(() => HuggingFaceTokenizer.Load(dir));
            Assert.Contains("tokenizer.json: model type 'WordPiece' is not supported", wordPiece.Message);

            File.WriteAllText(Path.Combine(dir, "tokenizer.json"), """{"model": {"type": "BPE", "byte_fallback": true, "vocab": {}, "merges": []}, "pre_tokenizer": {"type": "Metaspace"}}""");
            Assert.Contains("tokenizer.model beside it", Assert.Throws<EppoException>(() => HuggingFaceTokenizer.Load(dir)).Message);

            File.WriteAllText(Path.Combine(dir, "tokenizer.json"), "{ not json");
            Assert.Contains("tokenizer.json: not valid JSON", Assert.Throws<EppoException>(() => HuggingFaceTokenizer.Load(dir)).Message);

            File.WriteAllBytes(Path.Combine(dir, "tokenizer.model"), [1, 2, 3, 4, 5]);
            Assert.Contains("tokenizer.model: not a SentencePiece BPE model", Assert.Throws<EppoException>(() => HuggingFaceTokenizer.Load(dir)).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
