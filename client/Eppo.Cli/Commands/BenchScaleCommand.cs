using System.ComponentModel;
using Eppo.Cli.Bench;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class BenchScaleSettings : CommandSettings
{
    [CommandOption("--json"), Description("Print one JSON object instead of tables")]
    public bool Json { get; init; }

    [CommandOption("--rounds <N>"), Description("Measured rounds (after a warm-up round) of each comparison"), DefaultValue(3)]
    public int Rounds { get; init; } = 3;

    [CommandOption("--steps <N>"), Description("Learner steps per round, each timed with one learner and with two replicas"), DefaultValue(3)]
    public int Steps { get; init; } = 3;

    public override ValidationResult Validate() =>
        Rounds is < 1 or > 50 ? ValidationResult.Error($"--rounds: {Rounds} is not in 1..50")
        : Steps is < 1 or > 50 ? ValidationResult.Error($"--steps: {Steps} is not in 1..50")
        : ValidationResult.Success();
}

/// <summary>Two learner replicas against one, and overlapped generation against sequential, on silo processes (<see cref="ScaleBenchmark"/>).</summary>
public sealed class BenchScaleCommand : AsyncCommand<BenchScaleSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchScaleSettings settings, CancellationToken cancellation)
    {
        var result = await ScaleBenchmark.RunAsync(settings.Rounds, settings.Steps, message => Console.Error.WriteLine($"bench scale: {message}"), cancellation);
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(result));
            return ExitCodes.Ok;
        }
        static string Ms(PipelineBenchmark.Spread s) => $"{s.Median:F0} ms (range {s.Min:F0}–{s.Max:F0})";
        static string Ratio(PipelineBenchmark.Spread s) => $"{s.Median:F2}× (range {s.Min:F2}–{s.Max:F2})";
        var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", $"median of {result.Rounds} rounds", "target");
        table.AddRow("machine", Markup.Escape(result.Machine), "");
        table.AddRow("learner model", Markup.Escape($"{result.LearnerModel}, batch {result.LearnerBatch}"), "");
        table.AddRow("learner step, one learner", Ms(result.LearnerStepMs1), "");
        table.AddRow("learner step, two replicas", Ms(result.LearnerStepMs2) + Markup.Escape($" on {string.Join(" and ", result.ReplicaHosts)}"), "");
        table.AddRow("learner_speedup_2", Ratio(result.LearnerSpeedupSpread), "≥ 1.7");
        table.AddRow("two independent halves at once (no exchange)", Ms(result.HalvesApartMs), "");
        table.AddRow("what this machine allows: one / halves apart", Ratio(result.MachineCeiling), "");
        table.AddRow("bytes exchanged per iteration", $"{result.ExchangedBytesPerIteration / 1e6:F1} MB (a policy version: {result.PolicyBytesPerVersion / 1e6:F1} MB)", "");
        table.AddRow("overlap spec", Markup.Escape($"{result.OverlapModel}; generate {result.GenerateMs:F0} ms, score {result.ScoreMs:F0} ms, learn {result.LearnMs:F0} ms; checkpoint every {result.CheckpointInterval}"), "");
        table.AddRow("iteration, sequential", Ms(result.IterationMsSequential), "");
        table.AddRow("iteration, overlapped", Ms(result.IterationMsOverlapped), "");
        table.AddRow("overlap_speedup", Ratio(result.OverlapSpeedupSpread), "≥ 1.5");
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
