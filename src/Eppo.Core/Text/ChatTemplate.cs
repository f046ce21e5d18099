using System.Text;
using System.Text.RegularExpressions;

namespace Eppo.Core.Text;

/// <summary>
/// Turns a conversation into the text a chat model was trained on. The formats are rendered here rather than by a
/// Jinja engine; each equals what its published chat_template renders (tested against @huggingface/jinja).
/// A template is chosen by name (<see cref="Names"/>) or recognised from a tokenizer_config.json's chat_template.
/// ChatML's DefaultSystem is the system turn some models insert when none is given (Qwen2: "You are a helpful
/// assistant."), read from the model's own template.
/// </summary>
public sealed partial record ChatTemplate(ChatFormat Format, string? DefaultSystem = null)
{
    public const string VicunaSystem = "A chat between a curious user and an artificial intelligence assistant. " +
                                       "The assistant gives helpful, detailed, and polite answers to the user's questions.";

    public static readonly IReadOnlyDictionary<string, ChatFormat> Names = new Dictionary<string, ChatFormat>(StringComparer.OrdinalIgnoreCase)
    {
        ["plain"] = ChatFormat.Plain, ["hh"] = ChatFormat.Hh, ["vicuna"] = ChatFormat.Vicuna,
        ["llama3"] = ChatFormat.Llama3, ["chatml"] = ChatFormat.ChatMl,
    };

    /// <summary>The name this template is chosen by.</summary>
    public string Name => Names.First(n => n.Value == Format).Key;

    public static ChatTemplate Parse(string name) => Names.TryGetValue(name, out var format)
        ? new ChatTemplate(format)
        : throw new EppoException($"unknown chat template '{name}' (expected one of: {string.Join(", ", Names.Keys)})");

    /// <summary>The format a model's chat_template writes, or null if it has none; one error if it is none we render.</summary>
    public static ChatTemplate? Recognise(string? template, string source)
    {
        if (string.IsNullOrWhiteSpace(template)) return null;
        if (template.Contains("<|start_header_id|>", StringComparison.Ordinal)) return new ChatTemplate(ChatFormat.Llama3);
        if (template.Contains("<|im_start|>", StringComparison.Ordinal))
        {
            var system = ChatMlSystem().Match(template);
            return new ChatTemplate(ChatFormat.ChatMl, system.Success ? system.Groups[1].Value : null);
        }
        if (template.Contains("USER:", StringComparison.Ordinal) && template.Contains("ASSISTANT:", StringComparison.Ordinal)) return new ChatTemplate(ChatFormat.Vicuna);
        if (template.Contains("Human:", StringComparison.Ordinal) && template.Contains("Assistant:", StringComparison.Ordinal)) return new ChatTemplate(ChatFormat.Hh);
        throw new EppoException($"{source}: chat_template is none of the formats EppoOrleans renders ({string.Join(", ", Names.Keys)}); name one as the run's template");
    }

    /// <summary>
    /// The conversation as text. addGenerationPrompt ends it with the opening of an assistant turn, as a prompt for
    /// generation; bos and eos are the tokenizer's (Llama 3 starts with BOS in the text; Vicuna ends assistant turns with EOS).
    /// </summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, string bos = "", string eos = "")
    {
        foreach (var m in messages)
            if (m.Role is not (ChatMessage.System or ChatMessage.User or ChatMessage.Assistant))
                throw new EppoException($"chat message role '{m.Role}' is not system, user or assistant");
        var text = new StringBuilder();
        switch (Format)
        {
            case ChatFormat.Plain:
                text.AppendJoin("\n\n", messages.Select(m => m.Content));
                break;
            case ChatFormat.Hh:
                foreach (var m in messages)
                    text.Append(m.Role switch { ChatMessage.User => "\n\nHuman: ", ChatMessage.Assistant => "\n\nAssistant: ", _ => "" }).Append(m.Content);
                if (addGenerationPrompt) text.Append("\n\nAssistant:");
                break;
            case ChatFormat.Vicuna:
                var hasSystem = messages.Count > 0 && messages[0].Role == ChatMessage.System;
                text.Append(hasSystem ? messages[0].Content : VicunaSystem).Append(' ');
                foreach (var m in messages.Skip(hasSystem ? 1 : 0))
                    text.Append(m.Role == ChatMessage.User ? $"USER: {m.Content} " : m.Role == ChatMessage.Assistant ? $"ASSISTANT: {m.Content}{eos}" : "");
                if (addGenerationPrompt) text.Append("ASSISTANT:");
                break;
            case ChatFormat.Llama3:
                text.Append(bos);
                foreach (var m in messages) text.Append($"<|start_header_id|>{m.Role}<|end_header_id|>\n\n{m.Content.Trim()}<|eot_id|>");
                if (addGenerationPrompt) text.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
                break;
            case ChatFormat.ChatMl:
                if (DefaultSystem is not null && messages.Count > 0 && messages[0].Role != ChatMessage.System)
                    text.Append($"<|im_start|>system\n{DefaultSystem}<|im_end|>\n");
                foreach (var m in messages) text.Append($"<|im_start|>{m.Role}\n{m.Content}<|im_end|>\n");
                if (addGenerationPrompt) text.Append("<|im_start|>assistant\n");
                break;
        }
        return text.ToString();
    }

    /// <summary>
    /// What a response starts with after the generation prompt: HH's and Vicuna's prompts end with "Assistant:", and
    /// byte-level BPE tokenizes the answer's first word with its space (" Paris"), as the model learned it.
    /// </summary>
    public string ResponsePrefix => Format is ChatFormat.Hh or ChatFormat.Vicuna ? " " : "";

    /// <summary>The text an assistant turn ends with, after the response (what generation stops at).</summary>
    public string EndOfTurn(string eos) => Format switch
    {
        ChatFormat.Llama3 => "<|eot_id|>",
        ChatFormat.ChatMl => "<|im_end|>",
        _ => eos,
    };

    [GeneratedRegex(@"<\|im_start\|>system(?:\n|\\n)(.*?)<\|im_end\|>", RegexOptions.Singleline)]
    private static partial Regex ChatMlSystem();
}
