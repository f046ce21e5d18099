using System.ComponentModel;
using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Evaluation;
using Eppo.Core.Tasks;
using Eppo.Experiments;
using Eppo.Grains.Artifacts;
using Eppo.Silo;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class StudySettings : JudgeSettings
{
    [CommandOption("--methods <LIST>"), Description("Comma-separated methods, or \"all\" (default ppo,ppo-kl,ppo-lp,eppo)"), DefaultValue("ppo,ppo-kl,ppo-lp,eppo")]
    public string Methods { get; init; } = "ppo,ppo-kl,ppo-lp,eppo";

    [CommandOption("--seeds <N>"), Description("Seeds 1..N (default 1)"), DefaultValue(1)]
    public int Seeds { get; init; } = 1;

    [CommandOption("--out <DIR>"), Description("Where the report and the runs' data go"), DefaultValue("runs/study")]
    public string Out { get; init; } = "runs/study";

    public IReadOnlyList<string> MethodList => TrainingMethods.ParseList(Methods);

    public override ValidationResult Validate() =>
        JudgeError()
        ?? (MethodList.FirstOrDefault(m => TrainingMethods.Find(m) is null) is { } bad
            ? ValidationResult.Error($"--methods: unknown method '{bad}' (expected some of {string.Join(", ", TrainingMethods.Names)})")
        : Seeds is < 1 or > 100 ? ValidationResult.Error($"--seeds: {Seeds} is not in 1..100")
        : ValidationResult.Success());
}

/// <summary>The paper's tables on a spec whose task has a judge: every method trained per seed on an embedded silo, judged on held-out prompts.</summary>
public sealed class StudyCommand : AsyncCommand<StudySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, StudySettings settings, CancellationToken cancellation)
    {
        void Progress(string message) => Console.Error.WriteLine($"study: {message}");
        var template = SpecFile.Load(settings.Config!);
        var judgeName = settings.JudgeFor(TrainingTasks.For(template, settings.Config!));
        var outDir = Path.GetFullPath(settings.Out);
        var dataRoot = Path.Combine(outDir, "data");
        Directory.CreateDirectory(dataRoot);
        var app = EppoSiloHost.Build(EmbeddedSilo.Settings("eppo-study", dataRoot) with { MetricsUrl = null });
        await app.StartAsync(cancellation);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var artifacts = app.Services.GetRequiredService<IArtifactStore>();
            // Progress on stderr: stdout names the report.
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            var driver = new StudyDriver(app.Services.GetRequiredService<IClusterClient>(), location => artifacts.LocalPathAsync(location), console);
            IPairJudge JudgeFor(RunSpec spec, Core.Model.DecoderModel sft) => ComputeThreads.Run(() =>
                TrainingTasks.For(spec).Judge(new JudgeRequest(judgeName, spec, sft, null, settings.JudgeUrl, settings.JudgeModel, Progress)));
            var plan = JudgedStudy.Plan(template, settings.MethodList, Enumerable.Range(1, settings.Seeds).ToArray(), new JudgedEvaluation(JudgeFor, settings.Prompts));
            var result = JudgedStudy.Of(plan, await driver.RunAsync(plan, cancellation), clock.Elapsed.TotalSeconds);
            var command = $"./eppo study --config {settings.Config} --methods {settings.Methods} --seeds {settings.Seeds} --judge {judgeName} --prompts {settings.Prompts} --out {settings.Out}";
            var report = JudgedStudyReport.Write(result, command, outDir);
            AnsiConsole.MarkupLine($"report: {Markup.Escape(report)}");
            return ExitCodes.Ok;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}
