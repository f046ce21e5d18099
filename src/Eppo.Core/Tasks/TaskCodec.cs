using Eppo.Core.Text;

namespace Eppo.Core.Tasks;

/// <summary>
/// How prompts and responses become token ids: prompt = [bos] words [sep], response = words [eos]. The separator
/// marks where the answer starts; without it "copy red blue" could go on as a longer prompt.
/// </summary>
public sealed class TaskCodec(ITokenizer tokenizer, int separatorId)
{
    public const string Separator = "<sep>";

    public ITokenizer Tokenizer { get; } = tokenizer;
    public int SeparatorId { get; } = separatorId;
    public int VocabSize => Tokenizer.VocabSize;
    public int EosId => Tokenizer.EosId;
    public int PadId => Tokenizer.PadId;

    public int[] EncodePrompt(string text) => [Tokenizer.BosId, .. Tokenizer.Encode(text), SeparatorId];

    public int[] EncodeResponse(string text) => [.. Tokenizer.Encode(text), Tokenizer.EosId];

    /// <summary>Response ids back to text; EOS and padding vanish, a stray separator stays visible (the judge sees it).</summary>
    public string DecodeResponse(IEnumerable<int> ids) => Tokenizer.Decode(ids.Where(id => id != Tokenizer.EosId && id != Tokenizer.PadId));

    /// <summary>Prompt ids back to the prompt's text (bos and separator dropped).</summary>
    public string DecodePrompt(IEnumerable<int> ids) => Tokenizer.Decode(ids.Where(id => id != SeparatorId));
}
