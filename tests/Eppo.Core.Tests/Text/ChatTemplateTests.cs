using System.Text.Json;
using Eppo.Core.Text;
using Eppo.Tests;

namespace Eppo.Core.Tests.Text;

/// <summary>
/// Our renderings equal what the models' own chat_template strings render in @huggingface/jinja
/// (Fixtures/Tokenizers/reference.json): Llama 3 Instruct's and Qwen2's templates, and FastChat's Vicuna v1.1 as a
/// Jinja template; each recognised from its tokenizer_config.json.
/// </summary>
public sealed class ChatTemplateTests
{
    static readonly string Fixtures = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "Tokenizers");
    static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference.json"))).RootElement;

    static ChatMessage[] Messages(JsonElement chat) => chat.GetProperty("messages").EnumerateArray()
        .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToArray();

    [Theory]
    [InlineData("llama3", ChatFormat.Llama3)]
    [InlineData("qwen2", ChatFormat.ChatMl)]
    public void RecognisedTemplatesRenderAsTheModelsJinjaTemplate(string name, ChatFormat format)
    {
        var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(Fixtures, name));
        var template = ChatTemplate.Recognise(tokenizer.Config.ChatTemplate, name)!;
        Assert.Equal(format, template.Format);
        foreach (var chat in Reference.GetProperty(name).GetProperty("chats").EnumerateArray())
            Assert.Equal(chat.GetProperty("text").GetString(),
                template.Render(Messages(chat), addGenerationPrompt: true, tokenizer.Config.BosToken ?? "", tokenizer.Config.EosToken ?? ""));
    }

    [Fact]
    public void VicunaRendersAsFastChatsTemplate()
    {
        var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(Fixtures, "llama2-sp"));
        var template = ChatTemplate.Recognise(tokenizer.Config.ChatTemplate, "llama2-sp")!;
        Assert.Equal(ChatFormat.Vicuna, template.Format);
        foreach (var chat in Reference.GetProperty("vicuna").EnumerateArray())
            Assert.Equal(chat.GetProperty("text").GetString(), template.Render(Messages(chat), addGenerationPrompt: true, "<s>", "</s>"));
    }

    [Fact]
    public void QwenInsertsItsDefaultSystemTurnOnlyWhenNoneIsGiven()
    {
        var template = ChatTemplate.Recognise(HuggingFaceTokenizer.Load(Path.Combine(Fixtures, "qwen2")).Config.ChatTemplate, "qwen2")!;
        Assert.Equal("You are a helpful assistant.", template.DefaultSystem);
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n", ChatTemplate.Parse("chatml").Render([new ChatMessage("user", "hi")], addGenerationPrompt: false));
    }

    [Fact]
    public void HhAndPlainAreTheTranscriptLayouts()
    {
        ChatMessage[] turns = [new("user", "Hi?"), new("assistant", "Hello."), new("user", "Bye?")];
        Assert.Equal("\n\nHuman: Hi?\n\nAssistant: Hello.\n\nHuman: Bye?\n\nAssistant:", ChatTemplate.Parse("hh").Render(turns, addGenerationPrompt: true));
        Assert.Equal("Hi?\n\nHello.\n\nBye?", ChatTemplate.Parse("plain").Render(turns, addGenerationPrompt: true));
        Assert.Equal(ChatFormat.Hh, ChatTemplate.Recognise("{{ '\\n\\nHuman: ' + m }}{{ '\\n\\nAssistant:' }}", "x")!.Format);
    }

    [Fact]
    public void UnknownNamesRolesAndTemplatesAreOneLineErrors()
    {
        Assert.Contains("unknown chat template 'alpaca' (expected one of: plain, hh, vicuna, llama3, chatml)", Assert.Throws<EppoException>(() => ChatTemplate.Parse("alpaca")).Message);
        Assert.Contains("role 'tool'", Assert.Throws<EppoException>(() => ChatTemplate.Parse("plain").Render([new ChatMessage("tool", "x")], false)).Message);
        Assert.Contains("m/tokenizer_config.json: chat_template is none of the formats", Assert.Throws<EppoException>(() => ChatTemplate.Recognise("{{ '### Instruction:' }}", "m/tokenizer_config.json")).Message);
        Assert.Null(ChatTemplate.Recognise(null, "x"));
    }
}
