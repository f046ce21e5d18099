using System.ComponentModel;
using System.Diagnostics;
using Eppo.Contracts;
using Eppo.Experiments;
using Eppo.Grains.Artifacts;
using Eppo.Core;
using Eppo.Silo;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class DemoSettings : CommandSettings
{
    [CommandOption("--quick"), Description("A smaller model and shorter RL: a few minutes on 2 cores")]
    public bool Quick { get; init; }

    [CommandOption("--seeds <N>"), Description("Seeds per method (default 1; docs/results.md uses 3)")]
    public int? Seeds { get; init; }

    [CommandOption("--first-seed <N>"), Description("The first seed (default 1); the tuning protocol's held-out seeds are --first-seed 4 --seeds 3"), DefaultValue(1)]
    public int FirstSeed { get; init; } = 1;

    [CommandOption("--picks <TUNE_JSON>"), Description("Run the configurations an `eppo tune` run picked (its tune.json) instead of the paper's, for the methods it tuned")]
    public string? Picks { get; init; }

    [CommandOption("--methods <LIST>"), Description("Comma-separated methods, of those listed above, or \"all\" (default: the demo's five)")]
    public string? Methods { get; init; }

    [CommandOption("--eta <ETA>"), Description("EPPO's penalty weight η (default: the paper's 2, raw; with --quick the tuned 1 on the spread scale)")]
    public double? Eta { get; init; }

    [CommandOption("--energy-scale <SCALE>"), Description("EPPO's energy scale: raw (the paper's, default) or spread (the --quick default, tuned)")]
    public string? EnergyScale { get; init; }

    [CommandOption("--probe-site <SITE>"), Description("Energy probe: block, mlp, down_proj or mlp_linears"), DefaultValue("down_proj")]
    public string ProbeSite { get; init; } = "down_proj";

    [CommandOption("--out <DIR>"), Description("Where report.md, report.json and the plots go"), DefaultValue("runs/demo")]
    public string Out { get; init; } = "runs/demo";

    [CommandOption("--eval-prompts <N>"), Description("Held-out prompts per evaluation"), DefaultValue(256)]
    public int EvalPrompts { get; init; } = 256;

    [CommandOption("--metrics-url <URL>"), Description("Serve Prometheus metrics while the demo runs, e.g. http://127.0.0.1:8080"), DefaultValue("none")]
    public string MetricsUrl { get; init; } = "none";

    [CommandOption("--variant <NAME>"), Description("HackBench variant: gao (RL gains, then hacks; default) or planted-bias (the hack wins at once)"), DefaultValue("gao")]
    public string Variant { get; init; } = "gao";

    [CommandOption("--set <FIELD=VALUE>"), Description("Change a field of every run's spec, named as in a spec file (repeatable), e.g. --set reward.caution_bias=0.3")]
    public string[] Set { get; init; } = [];

    public IReadOnlyList<string> MethodList => Methods is null
        ? DemoPlan.Methods
        : TrainingMethods.ParseList(Methods);

    public override ValidationResult Validate()
    {
        if (Seeds is <= 0 or > 20) return ValidationResult.Error($"--seeds: {Seeds} is not in 1..20");
        if (FirstSeed is <= 0 or > 1_000_000) return ValidationResult.Error($"--first-seed: {FirstSeed} is not in 1..1000000");
        if (Eta is { } eta && (!double.IsFinite(eta) || eta < 0)) return ValidationResult.Error($"--eta: {eta} must be a finite number ≥ 0");
        if (EnergyScale is { } scale && !Contracts.RunSpec.EnergyScales.Contains(scale))
            return ValidationResult.Error($"--energy-scale: unknown scale '{scale}' (expected one of {string.Join(", ", Contracts.RunSpec.EnergyScales)})");
        if (!Contracts.RunSpec.ProbeSites.Contains(ProbeSite))
            return ValidationResult.Error($"--probe-site: unknown site '{ProbeSite}' (expected one of {string.Join(", ", Contracts.RunSpec.ProbeSites)})");
        if (EvalPrompts is <= 0 or > 10000) return ValidationResult.Error($"--eval-prompts: {EvalPrompts} is not in 1..10000");
        var unknown = MethodList.Where(m => TrainingMethods.Find(m) is null).ToArray();
        if (unknown.Length > 0 || MethodList.Count == 0)
            return ValidationResult.Error($"--methods: unknown method '{unknown.FirstOrDefault()}' (expected a comma-separated list of {string.Join(",", TrainingMethods.Names)})");
        try
        {
            SpecOverrides.Parse(Set);
            HackBenchVariant.Get(Variant);
            if (Picks is not null) TunePicks.Load(Picks).RequireScale(Quick);
        }
        catch (EppoException e)
        {
            return ValidationResult.Error(e.Message);
        }
        return base.Validate();
    }
}

/// <summary>The embedded main job: one process hosts a silo and a client, trains everything, evaluates, reports.</summary>
public sealed class DemoCommand : AsyncCommand<DemoSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DemoSettings settings, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var seeds = Enumerable.Range(settings.FirstSeed, settings.Seeds ?? 1).ToArray();
        // Every spec is built and checked before the silo starts: a bad --set is one line, with nothing started.
        var overrides = SpecOverrides.Parse(settings.Set);
        var picks = settings.Picks is { } file ? TunePicks.Load(file).RequireScale(settings.Quick) : null;
        var variant = HackBenchVariant.Get(settings.Variant);
        // The tune's picks first, then the flags, then --set: the more specific the source, the later it applies.
        RunSpec Adjust(RunSpec spec)
        {
            var picked = picks?.Apply(spec) ?? spec;
            return SpecOverrides.Apply(
                picked with { Eta = settings.Eta ?? picked.Eta, EnergyScale = settings.EnergyScale ?? picked.EnergyScale, ProbeSite = settings.ProbeSite },
                overrides);
        }
        var plan = DemoPlan.Plan(settings.Quick, seeds, settings.MethodList, settings.EvalPrompts, Adjust, variant);
        var outDir = Path.GetFullPath(settings.Out);
        var dataRoot = Path.Combine(outDir, "data");
        Directory.CreateDirectory(dataRoot);
        var silo = EmbeddedSilo.ForStudy("eppo-demo", dataRoot) with { MetricsUrl = settings.MetricsUrl == "none" ? null : settings.MetricsUrl };
        var app = EppoSiloHost.Build(silo);
        await app.StartAsync(cancellation);
        try
        {
            var command = "./eppo demo" + (settings.Quick ? " --quick" : "") + (settings.Seeds is { } n ? $" --seeds {n}" : "")
                          + (settings.FirstSeed != 1 ? $" --first-seed {settings.FirstSeed}" : "") + (settings.Picks is { } p ? $" --picks {p}" : "")
                          + (settings.Methods is { } m ? $" --methods {m}" : "")
                          + (settings.Eta is { } eta ? $" --eta {eta}" : "") + (settings.EnergyScale is { } scale ? $" --energy-scale {scale}" : "")
                          + (settings.ProbeSite != "down_proj" ? $" --probe-site {settings.ProbeSite}" : "")
                          + (settings.Variant != HackBenchVariant.Gao.Name ? $" --variant {settings.Variant}" : "")
                          + string.Concat(settings.Set.Select(a => $" --set {a}"))
                          + $" --out {settings.Out}";
            AnsiConsole.MarkupLine($"[bold]eppo demo[/]{(settings.Quick ? " --quick" : "")}: {seeds.Length} seed(s) × {settings.MethodList.Count} methods on HackBench; output in {Markup.Escape(outDir)}");
            var artifacts = app.Services.GetRequiredService<IArtifactStore>();
            var driver = new StudyDriver(app.Services.GetRequiredService<IClusterClient>(), location => artifacts.LocalPathAsync(location), AnsiConsole.Console);
            var inputs = DemoInputs.Of(plan, await driver.RunAsync(plan, cancellation), command, settings.EvalPrompts, variant,
                picks is null ? "" : $"picked by `eppo tune` ({picks.Source}) for the methods it tuned: {picks.Describe()}; the others the paper's",
                spec => picks?.ByMethod.ContainsKey(spec.Method) != true);
            var report = DemoReport.Write(inputs, outDir);
            WinTieLoseConsole.Print(AnsiConsole.Console, report);
            AnsiConsole.MarkupLine($"report: {Markup.Escape(Path.Combine(outDir, DemoReport.MarkdownFile))} (+ {DemoReport.JsonFile}, plots) — {clock.Elapsed:mm\\:ss} in all");
            return ExitCodes.Ok;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}
