using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

/// <summary>The judge options shared by `eppo eval` and `eppo study`, and their checks.</summary>
public abstract class JudgeSettings : CommandSettings
{
    [CommandOption("--config <FILE>"), Description("The run's spec: its task's held-out prompts and judges (text: its data, split and tokenizer)")]
    public string? Config { get; init; }

    [CommandOption("--judge <KIND>"), Description("One of the task's judges, default its first: text has reward-model (trained on the spec's judge split, " +
                                                  "text.judge_fraction) and chat (an OpenAI-compatible endpoint); HackBench has gold")]
    public string? Judge { get; init; }

    [CommandOption("--judge-url <URL>"), Description("chat judge: base URL, e.g. https://api.openai.com/v1 (default EPPO_JUDGE_BASE_URL); the key comes from EPPO_JUDGE_API_KEY")]
    public string? JudgeUrl { get; init; }

    [CommandOption("--judge-model <NAME>"), Description("chat judge: model name (default EPPO_JUDGE_MODEL)")]
    public string? JudgeModel { get; init; }

    [CommandOption("--prompts <N>"), Description("Held-out prompts judged per comparison"), DefaultValue(50)]
    public int Prompts { get; init; } = 50;

    /// <summary>The shared checks; null when they pass.</summary>
    protected ValidationResult? JudgeError() =>
        Config is null ? ValidationResult.Error("--config: required (a run spec)")
        : Prompts is < 1 or > 100_000 ? ValidationResult.Error($"--prompts: {Prompts} is not in 1..100000")
        : null;

    /// <summary>The judge asked for, or the task's first; a task without judges, or without this one, is an error naming the field.</summary>
    public string JudgeFor(Core.Tasks.ITrainingTask task)
    {
        if (task.Judges.Count == 0)
            throw new EppoException($"{Config}: field 'task': task '{task.Name}' has no judge of held-out answers");
        var judge = Judge ?? task.Judges[0];
        if (!task.Judges.Contains(judge))
            throw new EppoException($"--judge: task '{task.Name}' has no judge '{judge}' (its judges: {string.Join(", ", task.Judges)})");
        return judge;
    }
}
