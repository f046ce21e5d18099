using Eppo.Core.Text;

namespace Eppo.Core.Tasks;

/// <summary>
/// How prompts and responses become token ids, in one of two framings:
/// <list type="bullet">
/// <item>separator (HackBench's word vocabulary): prompt = [bos] words [sep], response = words [eos]. The separator
/// marks where the answer starts; without it "copy red blue" could go on as a longer prompt;</item>
/// <item>chat (<see cref="Chat"/>, a Hugging Face tokenizer): the prompt's turns (<see cref="Conversation"/>) rendered
/// by the chat template with its generation prompt, BOS as the model adds it; response = its text after the
/// template's response prefix, then the end-of-turn token (Llama 3's &lt;|eot_id|&gt;, ChatML's &lt;|im_end|&gt;, else EOS).</item>
/// </list>
/// </summary>
public sealed class TaskCodec
{
    public const string Separator = "<sep>";

    readonly HuggingFaceTokenizer? chatTokenizer;
    readonly ChatTemplate? template;
    readonly string responsePrefix = "";

    /// <summary>A closed vocabulary of exactly <paramref name="vocabSize"/> ids (3 specials + words w0, w1, …): a model shape with no tokenizer of its own (benchmarks, plans).</summary>
    public static TaskCodec Synthetic(int vocabSize) =>
        new(new WordTokenizer(Enumerable.Range(0, vocabSize - 3).Select(i => $"w{i}")), separatorId: vocabSize - 1);

    public TaskCodec(ITokenizer tokenizer, int separatorId)
    {
        Tokenizer = tokenizer;
        SeparatorId = separatorId;
        EosId = tokenizer.EosId;
    }

    TaskCodec(HuggingFaceTokenizer tokenizer, ChatTemplate template)
    {
        Tokenizer = chatTokenizer = tokenizer;
        this.template = template;
        // SentencePiece adds its own word-start marker ("▁"); a leading space would make it two.
        responsePrefix = tokenizer.Source == TokenizerJson.FileName ? template.ResponsePrefix : "";
        SeparatorId = -1;
        var endOfTurn = template.EndOfTurn(tokenizer.TokenText(tokenizer.EosId));
        EosId = tokenizer.SpecialTokens.TryGetValue(endOfTurn, out var id) ? id : tokenizer.EosId;
    }

    public static TaskCodec Chat(HuggingFaceTokenizer tokenizer, ChatTemplate template) => new(tokenizer, template);

    public ITokenizer Tokenizer { get; }
    /// <summary>The separator token of the separator framing; −1 in the chat framing.</summary>
    public int SeparatorId { get; }
    public int VocabSize => Tokenizer.VocabSize;
    /// <summary>The token that ends a response.</summary>
    public int EosId { get; }
    public int PadId => Tokenizer.PadId;
    /// <summary>The chat template of the chat framing; null in the separator framing.</summary>
    public ChatTemplate? Template => template;

    public int[] EncodePrompt(string text) => chatTokenizer is null
        ? [Tokenizer.BosId, .. Tokenizer.Encode(text), SeparatorId]
        : chatTokenizer.EncodePrompt(template!.Render(Conversation.FromPrompt(text), addGenerationPrompt: true,
            chatTokenizer.TokenText(chatTokenizer.BosId), chatTokenizer.TokenText(chatTokenizer.EosId)));

    public int[] EncodeResponse(string text) => [.. Tokenizer.Encode(responsePrefix + text), EosId];

    /// <summary>Response ids back to text; EOS and padding vanish, a stray separator stays visible (the judge sees it).</summary>
    public string DecodeResponse(IEnumerable<int> ids)
    {
        var text = Tokenizer.Decode(ids.Where(id => id != EosId && id != PadId));
        return responsePrefix.Length > 0 && text.StartsWith(responsePrefix, StringComparison.Ordinal) ? text[responsePrefix.Length..] : text;
    }

    /// <summary>Prompt ids back to the prompt's text (bos and separator dropped; the chat framing shows the rendered template).</summary>
    public string DecodePrompt(IEnumerable<int> ids) => Tokenizer.Decode(ids.Where(id => id != SeparatorId));
}
