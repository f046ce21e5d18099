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

    public override ValidationResult Validate() =>
        Rounds is < 1 or > 100 ? ValidationResult.Error($"--rounds: {Rounds} is not in 1..100") : base.Validate();
}

public sealed class BenchPipelineCommand : AsyncCommand<BenchPipelineSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchPipelineSettings settings, CancellationToken cancellation)
    {
        settings.ApplyThreads();
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
}
