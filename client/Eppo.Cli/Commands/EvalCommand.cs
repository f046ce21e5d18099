using System.ComponentModel;
using System.Globalization;
using Eppo.Core;
using Eppo.Core.Evaluation;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.Preparation;
using Eppo.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class EvalSettings : JudgeSettings
{
    [CommandOption("--policy <DIR>"), Description("The policy to evaluate: a run checkpoint (…/checkpoints/iter-NNNNNN) or a model directory")]
    public string? Policy { get; init; }

    [CommandOption("--baseline <DIR>"), Description("What it is compared with, usually the run's SFT model (`run status` names it as sft_path)")]
    public string? Baseline { get; init; }

    [CommandOption("--judge-rm <DIR>"), Description("reward-model judge: load it from here if it exists, else train it and save it here")]
    public string? JudgeRm { get; init; }

    [CommandOption("--json"), Description("Print JSON (counts and every sample)")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        JudgeError()
        ?? (Policy is null || !Directory.Exists(Policy) ? ValidationResult.Error($"--policy: {(Policy is null ? "required" : $"{Policy}: no such directory")}")
        : Baseline is null || !Directory.Exists(Baseline) ? ValidationResult.Error($"--baseline: {(Baseline is null ? "required" : $"{Baseline}: no such directory")}")
        : ValidationResult.Success());
}

/// <summary>Win / tie / lose of a run's policy against its baseline on held-out prompts, judged by one of its task's judges.</summary>
public sealed class EvalCommand : AsyncCommand<EvalSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, EvalSettings settings, CancellationToken cancellation)
    {
        void Progress(string message) => Console.Error.WriteLine($"eval: {message}");
        var spec = SpecFile.Load(settings.Config!);
        var task = TrainingTasks.For(spec, settings.Config!);
        var judgeName = settings.JudgeFor(task);
        var site = EnergySites.Parse(spec.ProbeSite);
        using var policy = ComputeThreads.Run(() => ModelStore.Load(ModelDirectory(settings.Policy!), site).Model);
        using var baseline = ComputeThreads.Run(() => ModelStore.Load(ModelDirectory(settings.Baseline!), site).Model);
        using var judge = ComputeThreads.Run(() => task.Judge(new JudgeRequest(judgeName, spec, baseline, settings.JudgeRm, settings.JudgeUrl, settings.JudgeModel, Progress)));
        var result = await JudgedComparison.RunAsync(spec, policy, baseline, judge, settings.Prompts, Progress, cancellation);
        var counts = result.Counts;
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(new
            {
                result.Judge, Prompts = counts.Pairs, counts.Win, counts.Tie, counts.Lose, counts.NoVerdict, result.Samples,
                counts.WinShare, counts.TieShare, counts.LoseShare,
            }));
            return ExitCodes.Ok;
        }
        string P(double share) => share.ToString("P1", CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("judge", "prompts", "win", "tie", "lose", "no verdict");
        table.AddRow(Markup.Escape(result.Judge), $"{counts.Pairs}", $"{counts.Win} ({P(counts.WinShare)})", $"{counts.Tie} ({P(counts.TieShare)})",
            $"{counts.Lose} ({P(counts.LoseShare)})", $"{counts.NoVerdict}");
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }

    /// <summary>A run checkpoint's actor, or the directory itself.</summary>
    static string ModelDirectory(string dir) => Directory.Exists(Path.Combine(dir, "actor")) ? Path.Combine(dir, "actor") : dir;
}
