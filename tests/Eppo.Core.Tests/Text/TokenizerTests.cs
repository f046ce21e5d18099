using Eppo.Core.Text;

namespace Eppo.Core.Tests.Text;

public sealed class TokenizerTests
{
    static readonly string[] Vocabulary = ["the", "cat", "sat", "on", "mat", "."];

    [Fact]
    public void WordTokenizerNumbersWordsAfterTheSpecials()
    {
        var tokenizer = new WordTokenizer(Vocabulary);
        Assert.Equal((0, 1, 2, 9), (tokenizer.PadId, tokenizer.BosId, tokenizer.EosId, tokenizer.VocabSize));
        Assert.Equal(new[] { 3, 4, 5, 6, 3, 7, 8 }, tokenizer.Encode("the cat sat on the mat ."));
        Assert.Equal(new[] { 3, 4 }, tokenizer.Encode("  the\tcat\n"));
        Assert.Equal("the cat sat on the mat .", tokenizer.Decode(tokenizer.Encode("the cat sat on the mat .")));
        Assert.Equal("cat mat", tokenizer.Decode([1, 4, 7, 2, 0, 0])); // specials are not text
    }

    [Fact]
    public void WordTokenizerNamesAnUnknownWordAndItsPosition()
    {
        var error = Assert.Throws<EppoException>(() => new WordTokenizer(Vocabulary).Encode("the dog sat"));
        Assert.Contains("'dog'", error.Message);
        Assert.Contains("position 1", error.Message);
        Assert.Throws<EppoException>(() => new WordTokenizer(Vocabulary).Decode([9]));
        Assert.Throws<EppoException>(() => new WordTokenizer(["a", "a"]));
        Assert.Throws<EppoException>(() => new WordTokenizer(["a b"]));
    }

    [Fact]
    public void WordTokenizerRoundTripsThroughJson()
    {
        var tokenizer = new WordTokenizer(Vocabulary);
        var json = tokenizer.ToJson();
        Assert.Equal("""["<pad>","<bos>","<eos>","the","cat","sat","on","mat","."]""", json);
        var restored = WordTokenizer.FromJson(json);
        Assert.Equal(tokenizer.Words, restored.Words);
        Assert.Equal(tokenizer.Encode("mat on the cat"), restored.Encode("mat on the cat"));
        Assert.Throws<EppoException>(() => WordTokenizer.FromJson("""["the"]"""));
    }

    [Fact]
    public void Gpt2TokenizerGivesTheKnownIds()
    {
        var tokenizer = Tokenizers.Create("gpt2");
        Assert.Equal(new[] { 15496, 995 }, tokenizer.Encode("Hello world"));
        Assert.Equal((50256, 50256, 50257), (tokenizer.EosId, tokenizer.PadId, tokenizer.VocabSize));
        const string text = "Energy loss, in RLHF: ΔE = 0.25 — naïve café!";
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        Assert.Equal(new[] { 50256 }, tokenizer.Encode("<|endoftext|>"));
        Assert.Equal("Hello<|endoftext|>", tokenizer.Decode([15496, 50256]));
    }

    [Fact]
    public void FactoryRejectsAnUnknownKind()
    {
        Assert.IsType<WordTokenizer>(Tokenizers.Create("word", Vocabulary));
        var error = Assert.Throws<EppoException>(() => Tokenizers.Create("sentencepiece"));
        Assert.Contains("'sentencepiece'", error.Message);
        Assert.Contains("word, gpt2", error.Message);
        Assert.Throws<EppoException>(() => Tokenizers.Create("word"));
    }
}
