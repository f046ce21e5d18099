namespace Eppo.Core.HackBench;

/// <summary>One supervised example: the prompt (with its known answer), the response text, and what kind it is.</summary>
public sealed record SftExample(HackBenchPrompt Prompt, string Response, ResponseKind Kind)
{
    public string PromptText => Prompt.Text;
}
