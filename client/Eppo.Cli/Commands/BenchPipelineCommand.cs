using System.ComponentModel;
using Eppo.Cli.Bench;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class BenchPipelineSettings : BenchSettings
{
    [CommandOption("--rounds <N>"), Description("Measured rounds, each running the three ways once (default 8)"), DefaultValue(8)]
    public int Rounds { get; init; } = 8;

    [CommandOption("--config <FILE>"), Description("Benchmark this run spec (e.g. a text run on a GPT-2-small checkpoint) instead of the built-in HackBench one")]
    public string? Config { get; init; }

    [CommandOption("--method <NAME>"), Description("An ensemble method (erm-mean, erm-wco, erm-uwo, warm): time its reward models' training and scoring through the grains instead")]
    public string? Method { get; init; }

    [CommandOption("--compute-threads <N>"), Description("With --method: the embedded silo's compute threads (the demo runs 2)"), DefaultValue(1)]
    public int ComputeThreads { get; init; } = 1;

    public override ValidationResult Validate() =>
        Rounds is < 1 or > 100 ? ValidationResult.Error($"--rounds: {Rounds} is not in 1..100")
        : ComputeThreads is < 1 or > 64 ? ValidationResult.Error($"--compute-threads: {ComputeThreads} is not in 1..64")
        : Method is not null && Contracts.TrainingMethods.Find(Method) is null
            ? ValidationResult.Error($"--method: unknown method '{Method}' (expected one of {string.Join(", ", Contracts.TrainingMethods.Names)})")
        : Method is not null && Contracts.TrainingMethods.Get(Method).RewardMembers < 2
            ? ValidationResult.Error($"--method: '{Method}' trains one reward model; the ensemble benchmark needs erm-mean, erm-wco, erm-uwo or warm")
        : Method is not null && Config is not null ? ValidationResult.Error("--method: the ensemble benchmark has its own spec; leave out --config")
        : base.Validate();
}

public sealed class BenchPipelineCommand : AsyncCommand<BenchPipelineSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchPipelineSettings settings, CancellationToken cancellation)
    {
        settings.ApplyThreads();
        if (settings.Method is { } method) return await EnsembleAsync(method, settings, cancellation);
        var template = settings.Config is null ? null : SpecFile.Load(settings.Config);
        var result = await PipelineBenchmark.RunAsync(settings.Rounds, message => Console.Error.WriteLine($"bench pipeline: {message}"), cancellation, template);
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(result));
            return ExitCodes.Ok;
        }
        static string Ms(PipelineBenchmark.Spread s) => $"{s.Median:F1} ms (IQR {s.Q1:F1}–{s.Q3:F1})";
        static string Ratio(PipelineBenchmark.Spread s) => $"{s.Median:F3} (IQR {s.Q1:F3}–{s.Q3:F3}, range {s.Min:F3}–{s.Max:F3})";
        var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", $"median of {result.Rounds} rounds", "target");
        table.AddRow("machine", Markup.Escape(result.Machine), "");
        table.AddRow("model", Markup.Escape(result.Model), "");
        table.AddRow("in-process iteration", Ms(result.LocalIterationMs), "");
        table.AddRow("Orleans iteration (eppo)", Ms(result.OrleansIterationMs), "");
        table.AddRow("Orleans iteration (ppo)", Ms(result.PpoIterationMs), "");
        table.AddRow("Orleans / in-process", Ratio(result.OrleansOverInProcess), "≤ 1.03");
        table.AddRow("EPPO / PPO (Orleans, warm cache)", Ratio(result.EppoOverPpo), "≤ 1.05");
        table.AddRow("SFT regeneration per step (official)", $"{result.SftRegenerationMs:F1} ms", "");
        table.AddRow("regeneration / PPO iteration", $"{result.RegenerationOverIterationRatio:F3}", "what the cache saves");
        AnsiConsole.Write(table);
        var stages = new Table().Border(TableBorder.Rounded).AddColumns("ms per iteration", "rest", "generate", "score", "energy ref", "learn", "iteration");
        foreach (var (name, s) in new[] { ("in-process", result.LocalStages), ("Orleans eppo", result.OrleansStages), ("Orleans ppo", result.PpoStages) })
            stages.AddRow(name, $"{s.Rest:F1}", $"{s.Generate:F1}", $"{s.Score:F1}", $"{s.EnergyReference:F1}", $"{s.Learn:F1}", $"{s.Iteration:F1}");
        AnsiConsole.Write(stages);
        return ExitCodes.Ok;
    }

    static async Task<int> EnsembleAsync(string method, BenchPipelineSettings settings, CancellationToken cancellation)
    {
        var result = await EnsembleBenchmark.RunAsync(method, settings.Rounds, settings.ComputeThreads, message => Console.Error.WriteLine($"bench pipeline: {message}"), cancellation);
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(result));
            return ExitCodes.Ok;
        }
        static string Value(PipelineBenchmark.Spread s, string unit) => $"{s.Median:F2}{unit} (range {s.Min:F2}–{s.Max:F2})";
        var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", $"median of {result.Rounds} rounds", "target");
        table.AddRow("machine", Markup.Escape(result.Machine), "");
        table.AddRow("method", $"{result.Method}: {result.Members} reward models, {result.Pairs} pairs each, {result.Threads} libtorch thread(s) × {result.ComputeThreads} compute thread(s)", "");
        table.AddRow("training through trainer grains", Value(result.ClusterTrainingSeconds, " s"), "");
        table.AddRow("training one after another, in process", Value(result.SequentialTrainingSeconds, " s"), "");
        table.AddRow("grains / sequential", Value(result.TrainingRatio, ""), "≤ 1.05");
        table.AddRow("score stage, K scorer grains", Value(result.ClusterScoreMs, " ms"), "");
        table.AddRow("score stage, members in process", Value(result.InProcessScoreMs, " ms"), "");
        table.AddRow("grains / in process", Value(result.ScoringRatio, ""), "≤ 1.05");
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
