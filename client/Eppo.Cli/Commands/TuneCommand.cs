using System.ComponentModel;
using Eppo.Experiments;
using Eppo.Grains.Artifacts;
using Eppo.Silo;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class TuneSettings : CommandSettings
{
    [CommandOption("--quick"), Description("The demo's --quick scale (minutes per seed) instead of its full scale")]
    public bool Quick { get; init; }

    [CommandOption("--out <DIR>"), Description("Where tune.md, tune.json and both phases' reports go"), DefaultValue("runs/tune")]
    public string Out { get; init; } = "runs/tune";

    [CommandOption("--eval-prompts <N>"), Description("Held-out prompts per evaluation"), DefaultValue(256)]
    public int EvalPrompts { get; init; } = 256;

    public override ValidationResult Validate() =>
        EvalPrompts is <= 0 or > 10000 ? ValidationResult.Error($"--eval-prompts: {EvalPrompts} is not in 1..10000") : base.Validate();
}

/// <summary>
/// The honest protocol on HackBench, embedded: four configurations per method tuned on dev seeds 1–3, each method's
/// best by gold run on held-out seeds 4–6, the energy alarm scored as a detector on both (docs/results.md).
/// </summary>
public sealed class TuneCommand : AsyncCommand<TuneSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, TuneSettings settings, CancellationToken cancellation)
    {
        var outDir = Path.GetFullPath(settings.Out);
        var dataRoot = Path.Combine(outDir, "data");
        Directory.CreateDirectory(dataRoot);
        var app = EppoSiloHost.Build(EmbeddedSilo.ForStudy("eppo-tune", dataRoot));
        await app.StartAsync(cancellation);
        try
        {
            var command = "./eppo tune" + (settings.Quick ? " --quick" : "") + $" --out {settings.Out}";
            var artifacts = app.Services.GetRequiredService<IArtifactStore>();
            var driver = new StudyDriver(app.Services.GetRequiredService<IClusterClient>(), location => artifacts.LocalPathAsync(location), AnsiConsole.Console);
            var result = await TuneStudy.RunAsync(driver, settings.Quick, settings.EvalPrompts, outDir, command, cancellation);
            foreach (var (method, label) in result.Picked) AnsiConsole.MarkupLine($"picked on dev seeds: {Markup.Escape(method)} → {Markup.Escape(label)}");
            AnsiConsole.MarkupLine($"alarm chosen on dev seeds: {Markup.Escape(result.ChosenAlarm)}");
            AnsiConsole.MarkupLine($"report: {Markup.Escape(Path.Combine(outDir, TuneStudy.MarkdownFile))} — {result.WallSeconds / 60:F0} min in all");
            return ExitCodes.Ok;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}
