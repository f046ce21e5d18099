using System.Text.RegularExpressions;

namespace Eppo.Core.Text;

/// <summary>
/// A prompt as chat turns. The text task keeps prompts as text: an Anthropic-HH transcript ("\n\nHuman: …\n\nAssistant:
/// …", ending with the open "\n\nAssistant:") becomes its turns; any other text is one user turn.
/// </summary>
public static partial class Conversation
{
    public static IReadOnlyList<ChatMessage> FromPrompt(string prompt)
    {
        if (!prompt.Contains("Human:", StringComparison.Ordinal)) return [new ChatMessage(ChatMessage.User, prompt.Trim())];
        var turns = new List<ChatMessage>();
        var matches = Speaker().Matches(prompt);
        var before = matches.Count == 0 ? prompt : prompt[..matches[0].Index];
        if (!string.IsNullOrWhiteSpace(before)) turns.Add(new ChatMessage(ChatMessage.System, before.Trim()));
        for (var i = 0; i < matches.Count; i++)
        {
            var start = matches[i].Index + matches[i].Length;
            var end = i + 1 < matches.Count ? matches[i + 1].Index : prompt.Length;
            var content = prompt[start..end].Trim();
            var role = matches[i].Groups[1].Value == "Human" ? ChatMessage.User : ChatMessage.Assistant;
            // The open assistant turn at the end is the generation prompt, not a message.
            if (i == matches.Count - 1 && role == ChatMessage.Assistant && content.Length == 0) break;
            turns.Add(new ChatMessage(role, content));
        }
        return turns;
    }

    [GeneratedRegex(@"(?:^|\n\n)(Human|Assistant):")]
    private static partial Regex Speaker();
}
