using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

/// <summary>The judge options shared by `eppo eval` and `eppo study`, and their checks.</summary>
public abstract class JudgeSettings : CommandSettings
{
    [CommandOption("--config <FILE>"), Description("The run's spec (task \"text\"): its data, split and tokenizer")]
    public string? Config { get; init; }

    [CommandOption("--judge <KIND>"), Description("reward-model (trained on the spec's judge split, text.judge_fraction) or chat (an OpenAI-compatible endpoint)"), DefaultValue("reward-model")]
    public string Judge { get; init; } = "reward-model";

    [CommandOption("--judge-url <URL>"), Description("chat judge: base URL, e.g. https://api.openai.com/v1 (default EPPO_JUDGE_BASE_URL); the key comes from EPPO_JUDGE_API_KEY")]
    public string? JudgeUrl { get; init; }

    [CommandOption("--judge-model <NAME>"), Description("chat judge: model name (default EPPO_JUDGE_MODEL)")]
    public string? JudgeModel { get; init; }

    [CommandOption("--prompts <N>"), Description("Held-out prompts judged per comparison"), DefaultValue(50)]
    public int Prompts { get; init; } = 50;

    /// <summary>The shared checks; null when they pass.</summary>
    protected ValidationResult? JudgeError() =>
        Config is null ? ValidationResult.Error("--config: required (a text run spec)")
        : Judge is not ("reward-model" or "chat") ? ValidationResult.Error($"--judge: '{Judge}' is not reward-model or chat")
        : Prompts is < 1 or > 100_000 ? ValidationResult.Error($"--prompts: {Prompts} is not in 1..100000")
        : null;
}
