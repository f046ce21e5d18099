namespace Eppo.Core.Text;

/// <summary>Builds a tokenizer from its kind name as written in a config file.</summary>
public static class Tokenizers
{
    public static readonly IReadOnlyList<string> Kinds = ["word", "gpt2"];

    /// <summary>kind "word" needs <paramref name="vocabulary"/>; "gpt2" ignores it.</summary>
    public static ITokenizer Create(string kind, IEnumerable<string>? vocabulary = null) => kind.ToLowerInvariant() switch
    {
        "word" => new WordTokenizer(vocabulary ?? throw new EppoException("tokenizer kind 'word' needs a vocabulary (a list of words)")),
        "gpt2" => new Gpt2Tokenizer(),
        _ => throw new EppoException($"unknown tokenizer kind '{kind}' (expected one of: {string.Join(", ", Kinds)})"),
    };
}
