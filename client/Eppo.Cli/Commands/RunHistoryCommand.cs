using System.ComponentModel;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class RunHistorySettings : RunIdSettings
{
    [CommandOption("--from <ITERATION>"), Description("First iteration to show (default 0)"), DefaultValue(0)]
    public int From { get; init; }

    public override ValidationResult Validate() =>
        From < 0 ? ValidationResult.Error($"--from: {From} must be ≥ 0") : base.Validate();
}

/// <summary>Every iteration's metrics of a run, read page by page from the run's history (status carries only the latest).</summary>
public sealed class RunHistoryCommand : AsyncCommand<RunHistorySettings>
{
    const int Page = 1000;

    public override async Task<int> ExecuteAsync(CommandContext context, RunHistorySettings settings, CancellationToken cancellation)
    {
        var runId = RunIds.Validate(settings.RunId);
        await using var cluster = await ClusterConnection.ConnectAsync(settings, cancellation);
        var run = cluster.Client.GetGrain<IRunGrain>(runId);
        _ = await run.GetStatusAsync() ?? throw new EppoException($"run '{runId}': no such run (see `eppo run list`)");
        var history = new List<IterationMetrics>();
        for (IReadOnlyList<IterationMetrics> page; (page = await run.GetHistoryAsync(settings.From + history.Count, Page)).Count > 0;)
        {
            cancellation.ThrowIfCancellationRequested();
            history.AddRange(page);
        }
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(history));
            return ExitCodes.Ok;
        }
        // Short headers: nine columns fit an 80-column terminal; --json has every field.
        var table = new Table().Border(TableBorder.Rounded).AddColumns("it", "proxy", "shaped", "gold", "ΔE_RL", "ΔE_SFT", "KL", "len", "checkpoint");
        foreach (var m in history)
            table.AddRow($"{m.Iteration}", $"{m.ProxyReward:F3}", $"{m.ShapedReward:F3}", m.GoldReward is { } g ? $"{g:F3}" : "",
                $"{m.EnergyRl:F4}", $"{m.EnergySft:F4}", $"{m.Kl:F3}", $"{m.ResponseLength:F1}",
                m.Checkpoint is { } c ? Markup.Escape(Path.GetFileName(c)) : "");
        AnsiConsole.Write(table);
        if (history.Count == 0) Console.Error.WriteLine($"run {runId}: no iterations from {settings.From} on yet");
        return ExitCodes.Ok;
    }
}
