using Eppo.Contracts;

namespace Eppo.Core.TextTasks;

/// <summary>
/// How many distinct prompts (template included) exceed text.max_prompt_tokens and how many distinct responses
/// (end-of-turn included) exceed max_new_tokens, with the longest of each, in tokens.
/// </summary>
public sealed record TextLengths(int Prompts, int PromptsTotal, int LongestPrompt, int Responses, int ResponsesTotal, int LongestResponse)
{
    public bool Any => Prompts > 0 || Responses > 0;

    public string Describe(TextSpec text, int maxNewTokens) => string.Join("; ", new[]
    {
        Prompts > 0 ? $"{Prompts} of {PromptsTotal} prompts of {text.Data} are longer than text.max_prompt_tokens ({text.MaxPromptTokens}; the longest has {LongestPrompt} tokens)" : null,
        Responses > 0 ? $"{Responses} of {ResponsesTotal} responses are longer than max_new_tokens ({maxNewTokens}; the longest has {LongestResponse} tokens)" : null,
    }.Where(part => part is not null));
}
