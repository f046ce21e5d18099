using System.ComponentModel;
using System.Globalization;
using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.TextTasks;
using Eppo.Core.Training;
using Eppo.Experiments;
using Eppo.Experiments.Judges;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class EvalSettings : CommandSettings
{
    [CommandOption("--config <FILE>"), Description("The run's spec (task \"text\"): its data, split and tokenizer")]
    public string? Config { get; init; }

    [CommandOption("--policy <DIR>"), Description("The policy to evaluate: a run checkpoint (…/checkpoints/iter-NNNNNN) or a model directory")]
    public string? Policy { get; init; }

    [CommandOption("--baseline <DIR>"), Description("What it is compared with, usually the run's SFT model (`run status` names it as sft_path)")]
    public string? Baseline { get; init; }

    [CommandOption("--judge <KIND>"), Description("reward-model (trained on the spec's judge split, text.judge_fraction) or chat (an OpenAI-compatible endpoint)"), DefaultValue("reward-model")]
    public string Judge { get; init; } = "reward-model";

    [CommandOption("--judge-rm <DIR>"), Description("reward-model judge: load it from here if it exists, else train it and save it here")]
    public string? JudgeRm { get; init; }

    [CommandOption("--judge-url <URL>"), Description("chat judge: base URL, e.g. https://api.openai.com/v1 (default EPPO_JUDGE_BASE_URL); the key comes from EPPO_JUDGE_API_KEY")]
    public string? JudgeUrl { get; init; }

    [CommandOption("--judge-model <NAME>"), Description("chat judge: model name (default EPPO_JUDGE_MODEL)")]
    public string? JudgeModel { get; init; }

    [CommandOption("--prompts <N>"), Description("Held-out prompts to judge"), DefaultValue(100)]
    public int Prompts { get; init; } = 100;

    [CommandOption("--json"), Description("Print JSON (counts and every sample)")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Config is null ? ValidationResult.Error("--config: required (the run's spec)")
        : Policy is null || !Directory.Exists(Policy) ? ValidationResult.Error($"--policy: {(Policy is null ? "required" : $"{Policy}: no such directory")}")
        : Baseline is null || !Directory.Exists(Baseline) ? ValidationResult.Error($"--baseline: {(Baseline is null ? "required" : $"{Baseline}: no such directory")}")
        : Judge is not ("reward-model" or "chat") ? ValidationResult.Error($"--judge: '{Judge}' is not reward-model or chat")
        : Prompts is < 1 or > 100_000 ? ValidationResult.Error($"--prompts: {Prompts} is not in 1..100000")
        : ValidationResult.Success();
}

/// <summary>Win / tie / lose of a text run's policy against its baseline on held-out prompts, judged by a judge reward model or a chat model.</summary>
public sealed class EvalCommand : AsyncCommand<EvalSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, EvalSettings settings, CancellationToken cancellation)
    {
        void Progress(string message) => Console.Error.WriteLine($"eval: {message}");
        var spec = SpecFile.Load(settings.Config!);
        if (TrainingTasks.For(spec, settings.Config!) is not TextTask task)
            throw new EppoException($"{settings.Config}: field 'task': eppo eval judges text runs (task \"text\"); HackBench runs are judged by `eppo demo`");
        var site = EnergySites.Parse(spec.ProbeSite);
        using var policy = ComputeThreads.Run(() => ModelStore.Load(ModelDirectory(settings.Policy!), site).Model);
        using var baseline = ComputeThreads.Run(() => ModelStore.Load(ModelDirectory(settings.Baseline!), site).Model);
        using var judge = settings.Judge == "chat"
            ? (IPairJudge)new ChatCompletionsJudge(ChatJudgeOptions.Resolve(settings.JudgeUrl, settings.JudgeModel))
            : new RewardModelJudge(ComputeThreads.Run(() => JudgeModel(spec, task, baseline, settings.JudgeRm, Progress)), task.Codec);
        var result = await TextEvaluation.RunAsync(spec, policy, baseline, judge, settings.Prompts, Progress, cancellation);
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(result));
            return ExitCodes.Ok;
        }
        string P(double share) => share.ToString("P1", CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("judge", "prompts", "win", "tie", "lose", "no verdict");
        table.AddRow(Markup.Escape(result.Judge), $"{result.Prompts}", $"{result.Win} ({P(result.WinShare)})", $"{result.Tie} ({P(result.TieShare)})",
            $"{result.Lose} ({P(result.LoseShare)})", $"{result.NoVerdict}");
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }

    /// <summary>A run checkpoint's actor, or the directory itself.</summary>
    static string ModelDirectory(string dir) => Directory.Exists(Path.Combine(dir, "actor")) ? Path.Combine(dir, "actor") : dir;

    /// <summary>The judge reward model: loaded, or trained on the judge split from the baseline's trunk (and saved where asked).</summary>
    static RewardModelScorer JudgeModel(RunSpec spec, TextTask task, DecoderModel baseline, string? dir, Action<string> progress)
    {
        if (dir is not null && Directory.Exists(dir))
        {
            var (loaded, extra) = ModelStore.Load(dir, EnergySites.Parse(spec.ProbeSite));
            return new RewardModelScorer(loaded, task.Codec, new RewardNormalization(extra.GetValueOrDefault("norm_mean", 0), extra.GetValueOrDefault("norm_std", 1)));
        }
        var preferences = task.JudgePreferences(spec)
                          ?? throw new EppoException("eval: the spec has no judge split (set text.judge_fraction before the run, so the proxy never sees the judge's data), or pass --judge-rm");
        progress("training the judge reward model on the judge split");
        var r = spec.Reward;
        var seed = (int)Seeds.Combine(spec.Seed, (long)SeedStream.RewardMember, 1_000);
        var data = preferences.Build(baseline, task.Codec, new PreferenceRequest(r.Pairs, r.ResponsesPerPrompt, seed, spec.MaxNewTokens), progress);
        var (rm, report) = RewardModelTrainer.Train(baseline, task.Codec, data, new RewardModelTrainer.Options(r.Epochs, r.BatchSize, r.Lr, seed), progress);
        progress($"judge reward model: held-out accuracy {report.HeldOutAccuracy:F3}");
        if (dir is not null)
            ModelStore.Save(dir, rm, new() { ["held_out_accuracy"] = report.HeldOutAccuracy, ["norm_mean"] = report.Normalization.Mean, ["norm_std"] = report.Normalization.Std });
        return new RewardModelScorer(rm, task.Codec, report.Normalization);
    }
}
