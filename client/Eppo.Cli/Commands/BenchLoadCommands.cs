using System.ComponentModel;
using Eppo.Cli.Bench;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class BenchLoadSettings : BenchSettings
{
    [CommandOption("--silos <N>"), Description("Silos in this process (1 or 2)"), DefaultValue(1)]
    public int Silos { get; init; } = 1;

    [CommandOption("--runs <N>"), Description("Runs started at once"), DefaultValue(20)]
    public int Runs { get; init; } = 20;

    public override ValidationResult Validate() =>
        Silos is < 1 or > 2 ? ValidationResult.Error($"--silos: {Silos} is not 1 or 2")
        : Runs is < 1 or > 200 ? ValidationResult.Error($"--runs: {Runs} is not in 1..200")
        : base.Validate();
}

/// <summary>Many runs at once: all complete, status latency under load, memory after they retire.</summary>
public sealed class BenchLoadCommand : AsyncCommand<BenchLoadSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchLoadSettings settings, CancellationToken cancellation)
    {
        settings.ApplyThreads();
        var r = await LoadBenchmark.RunAsync(settings.Silos, settings.Runs, message => Console.Error.WriteLine($"bench load: {message}"), cancellation);
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(r));
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "value", "target");
        table.AddRow("machine", Markup.Escape(r.Machine), "");
        table.AddRow("runs completed", $"{r.Completed} / {r.Runs} on {r.Silos} silo(s), {r.TrainingSeconds:F0} s", "all");
        table.AddRow("status calls", $"{r.StatusCalls}", "");
        table.AddRow("status latency p50 / p95 / p99 / max", $"{r.StatusP50Ms:F1} / {r.StatusP95Ms:F1} / {r.StatusP99Ms:F1} / {r.StatusMaxMs:F1} ms", "p99 ≤ 200 ms");
        table.AddRow("resident memory start / peak / end", $"{r.ResidentStartMb:F0} / {r.ResidentPeakMb:F0} / {r.ResidentEndMb:F0} MB", "end ≈ start");
        AnsiConsole.Write(table);
        foreach (var line in r.NotCompleted) Console.Error.WriteLine($"bench load: not completed: {line}");
        return r.NotCompleted.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }
}

public sealed class BenchSoakSettings : BenchSettings
{
    [CommandOption("--config <FILE>"), Description("Run spec (default deploy/examples/quick.json)"), DefaultValue("deploy/examples/quick.json")]
    public string Config { get; init; } = "deploy/examples/quick.json";

    [CommandOption("--iterations <N>"), Description("Iterations of the run"), DefaultValue(1000)]
    public int Iterations { get; init; } = 1000;

    public override ValidationResult Validate() =>
        Iterations is < 20 or > 1_000_000 ? ValidationResult.Error($"--iterations: {Iterations} is not in 20..1000000") : base.Validate();
}

/// <summary>One long run: resident memory through it (flat = no native leak) and the run grain's record size.</summary>
public sealed class BenchSoakCommand : AsyncCommand<BenchSoakSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchSoakSettings settings, CancellationToken cancellation)
    {
        settings.ApplyThreads();
        var r = await SoakBenchmark.RunAsync(settings.Config, settings.Iterations, message => Console.Error.WriteLine($"bench soak: {message}"), cancellation);
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(r));
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "value", "target");
        table.AddRow("machine", Markup.Escape(r.Machine), "");
        table.AddRow("run", $"{Markup.Escape(r.Spec)}, {r.Iterations} iterations, {r.Seconds:F0} s", "");
        table.AddRow("resident after warm-up / min / max / end", $"{r.ResidentAfterWarmupMb:F0} / {r.ResidentMinMb:F0} / {r.ResidentMaxMb:F0} / {r.ResidentEndMb:F0} MB", "");
        table.AddRow("largest drift from the warm-up level", $"{r.DriftPercent:F1} %", "≤ 5 %");
        table.AddRow("trend", $"{r.SlopeMbPer100Iterations:F2} MB per 100 iterations", "≈ 0");
        table.AddRow("run grain record after 10 / at the end", $"{r.StateBytesAt10} / {r.StateBytesAtEnd} bytes", "equal");
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
