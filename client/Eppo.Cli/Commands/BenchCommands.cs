using System.ComponentModel;
using System.Globalization;
using Eppo.Core;
using Eppo.Cli.Bench;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public class BenchSettings : CommandSettings
{
    [CommandOption("--json"), Description("Print one JSON object instead of a table")]
    public bool Json { get; init; }

    [CommandOption("--threads <N>"), Description("libtorch intra-op threads (default: libtorch's choice, one per core)")]
    public int? Threads { get; init; }

    public override ValidationResult Validate() =>
        Threads is <= 0 ? ValidationResult.Error($"--threads must be positive, got {Threads}") : ValidationResult.Success();

    /// <summary>Applies --threads on the compute thread, where the benchmarks' tensor work runs.</summary>
    public void ApplyThreads()
    {
        if (Threads is { } threads) Torch.UseThreads(threads);
    }
}

/// <summary>Core speed: KV-cache generation, the energy probe's cost, a PPO step against the matmul peak. Progress goes to stderr.</summary>
public sealed class BenchCoreCommand : AsyncCommand<BenchSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, BenchSettings settings, CancellationToken cancellation)
    {
        settings.ApplyThreads();
        var result = ComputeThreads.Run(() => CoreBenchmark.Run(new CoreBenchmarkOptions(), step => Console.Error.WriteLine($"bench core: {step}…")));
        if (settings.Json) Console.WriteLine(result.ToJson());
        else AnsiConsole.Write(Table(result));
        return Task.FromResult(0);
    }

    static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    static Table Table(CoreBenchmarkResult r)
    {
        var table = new Table().Title($"eppo bench core — {Markup.Escape(r.CpuModel)}, {r.Nproc} cores, {r.Threads} torch threads, " +
                                      $"load {F(r.LoadAverageStart, "0.00")} → {F(r.LoadAverageEnd, "0.00")}")
            .AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned()).AddColumn("Target");
        static string Met(bool met, string target) => met ? $"[green]{target} ✓[/]" : $"[red]{target} ✗[/]";
        var tokens = $"{r.BatchSize}×{r.NewTokens}";
        table.AddRow("Model", Markup.Escape($"{r.Model}, probe {r.ProbeSite}"), "");
        table.AddRow($"Generation, KV cache ({tokens} tokens)", $"{F(r.GenerationTokensPerSKv)} tok/s  ({F(r.GenerationMsKv)} ms)", "");
        table.AddRow($"Generation, no cache ({tokens} tokens)", $"{F(r.GenerationTokensPerSNoCache)} tok/s  ({F(r.GenerationMsNoCache)} ms)", "");
        table.AddRow("KV speedup", $"{F(r.KvSpeedup, "0.00")}×", Met(r.KvTargetMet, $"≥ {CoreBenchmarkResult.Targets.KvSpeedup}×"));
        table.AddRow($"Forward, probe on ({r.TrainTokens} tokens)", $"{F(r.ForwardMsProbe, "0.00")} ms", "");
        table.AddRow($"Forward, probe off ({r.TrainTokens} tokens)", $"{F(r.ForwardMsNoProbe, "0.00")} ms", "");
        table.AddRow("Probe overhead", $"{F(r.ProbeOverheadPct, "0.00")} %", Met(r.ProbeTargetMet, $"≤ {CoreBenchmarkResult.Targets.ProbeOverheadPct} %"));
        table.AddRow($"PPO step ({r.TrainTokens} tokens, minibatch {r.MiniBatchSize}, {r.PpoEpochs} epoch)",
            $"{F(r.TrainStepMs)} ms  ({F(r.TrainStepGflop)} GFLOP)", "");
        table.AddRow("PPO step rate", $"{F(r.TrainStepGflops)} GFLOP/s", "");
        foreach (var (size, gflops) in r.MatmulGflops) table.AddRow($"Matmul {size}²", $"{F(gflops)} GFLOP/s", "");
        table.AddRow("Matmul, MLP shape in training", $"{F(r.MatmulModelShapeGflops)} GFLOP/s", "");
        table.AddRow("PPO step / matmul peak", $"{F(r.TrainStepPeakPct)} %", Met(r.TrainTargetMet, $"≥ {CoreBenchmarkResult.Targets.TrainStepPeakPct} %"));
        return table;
    }
}
