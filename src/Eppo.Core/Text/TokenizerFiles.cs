namespace Eppo.Core.Text;

/// <summary>The files of a Hugging Face tokenizer that travel with a checkpoint (inspect lists them, export copies them).</summary>
public static class TokenizerFiles
{
    public static readonly IReadOnlyList<string> Names =
        [TokenizerJson.FileName, HuggingFaceTokenizer.SentencePieceFile, TokenizerConfig.FileName, "special_tokens_map.json",
         "vocab.json", "merges.txt", "generation_config.json"];

    public static IReadOnlyList<string> In(string dir) => Names.Where(f => File.Exists(Path.Combine(dir, f))).ToArray();

    /// <summary>Copies those present in <paramref name="from"/> into <paramref name="to"/>; returns their names.</summary>
    public static IReadOnlyList<string> Copy(string from, string to)
    {
        var present = In(from);
        foreach (var name in present) File.Copy(Path.Combine(from, name), Path.Combine(to, name), overwrite: true);
        return present;
    }
}
