using Eppo.Core.Tasks;
using Eppo.Core.Text;
using Eppo.Tests;

namespace Eppo.Core.Tests.Text;

/// <summary>HH transcripts as chat turns, and the chat framing of prompts and responses through a model's tokenizer and template.</summary>
public sealed class ConversationAndCodecTests
{
    static readonly string Fixtures = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "Tokenizers");

    [Fact]
    public void AnHhTranscriptBecomesItsTurnsWithoutTheOpenAssistantTurn()
    {
        var turns = Conversation.FromPrompt("\n\nHuman: Hi there\n\nAssistant: Hello. How can I help?\n\nHuman: Name a colour.\n\nAssistant:");
        Assert.Equal([new ChatMessage("user", "Hi there"), new ChatMessage("assistant", "Hello. How can I help?"), new ChatMessage("user", "Name a colour.")], turns);
        Assert.Equal([new ChatMessage("user", "What is 2 + 2?")], Conversation.FromPrompt("  What is 2 + 2? "));
        // Rendered back as HH, the transcript is what it was.
        var hh = "\n\nHuman: Hi there\n\nAssistant: Hello.\n\nHuman: Bye?\n\nAssistant:";
        Assert.Equal(hh, ChatTemplate.Parse("hh").Render(Conversation.FromPrompt(hh), addGenerationPrompt: true));
    }

    [Fact]
    public void TheChatFramingRendersTheTemplateAndEndsResponsesWithTheEndOfTurnToken()
    {
        var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(Fixtures, "llama3"));
        var codec = TaskCodec.Chat(tokenizer, ChatTemplate.Parse("llama3"));
        var prompt = "\n\nHuman: What is the capital of France?\n\nAssistant:";
        var rendered = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
        Assert.Equal(tokenizer.Encode(rendered), codec.EncodePrompt(prompt));
        Assert.Equal(tokenizer.SpecialTokens["<|eot_id|>"], codec.EosId);
        var response = codec.EncodeResponse("Paris.");
        Assert.Equal([.. tokenizer.Encode("Paris."), codec.EosId], response);
        Assert.Equal("Paris.", codec.DecodeResponse(response));
    }

    [Fact]
    public void HhFramingPutsTheAnswersSpaceInItsFirstTokenAsTheModelSawIt()
    {
        var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(Fixtures, "gpt2"));
        var codec = TaskCodec.Chat(tokenizer, ChatTemplate.Parse("hh"));
        Assert.Equal([.. tokenizer.Encode(" The capital"), tokenizer.EosId], codec.EncodeResponse("The capital"));
        Assert.Equal("The capital", codec.DecodeResponse(codec.EncodeResponse("The capital")));
        Assert.Equal(tokenizer.Encode("\n\nHuman: Hi\n\nAssistant:"), codec.EncodePrompt("\n\nHuman: Hi\n\nAssistant:"));
    }
}
