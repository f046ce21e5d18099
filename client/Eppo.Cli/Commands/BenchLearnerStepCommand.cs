using System.ComponentModel;
using Eppo.Cli.Bench;
using Eppo.Core;
using Eppo.Core.Model;
using Eppo.Core.Preparation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class BenchLearnerStepSettings : CommandSettings
{
    [CommandOption("--sft <DIR>"), Description("The SFT model the learner starts from")]
    public string Sft { get; init; } = "";

    [CommandOption("--shape <NAME>"), Description("The shape whose benchmark work to learn from")]
    public string Shape { get; init; } = "gpt2";

    [CommandOption("--lora <R>"), Description("LoRA rank on every linear; 0 = full fine-tuning"), DefaultValue(0)]
    public int Lora { get; init; }

    [CommandOption("--steps <N>"), Description("Timed steps after the warm-up"), DefaultValue(1)]
    public int Steps { get; init; } = 1;

    [CommandOption("--load-only"), Description("Only load torch and the model, then report memory")]
    public bool LoadOnly { get; init; }

    [CommandOption("--threads <N>"), Description("libtorch intra-op threads")]
    public int? Threads { get; init; }

    public override ValidationResult Validate() =>
        !Directory.Exists(Sft) ? ValidationResult.Error($"--sft: {Sft}: no such directory")
        : ShapeOption.Check(Shape) is { Successful: false } shape ? shape
        : Lora < 0 ? ValidationResult.Error($"--lora: {Lora} is negative")
        : Steps < 1 ? ValidationResult.Error($"--steps: {Steps} is not positive")
        : ValidationResult.Success();
}

/// <summary>
/// One learner in a process of its own, for `bench model --lora` (<see cref="LoraComparison"/>): its memory peak is
/// then the learner's alone. Prints one JSON line.
/// </summary>
public sealed class BenchLearnerStepCommand : Command<BenchLearnerStepSettings>
{
    public override int Execute(CommandContext context, BenchLearnerStepSettings settings, CancellationToken cancellation)
    {
        if (settings.Threads is { } threads) Torch.UseThreads(threads);
        if (settings.LoadOnly)
        {
            ComputeThreads.Run(() =>
            {
                using var sft = FrozenModels.Acquire(settings.Sft);
                Console.WriteLine(StatusView.ToJson(new LoraComparison.ChildReport(ProcessMemory.PeakResidentBytes(), Resident(), [], 0)));
            });
            return ExitCodes.Ok;
        }
        var work = ModelBenchmark.Plan(ModelShapes.Get(settings.Shape), seed: 2);
        var run = ComputeThreads.Run(() => ModelBenchmark.RunLearner(settings.Sft, work, seed: 3, settings.Lora, settings.Steps, ProcessMemory.PeakResidentBytes));
        Console.WriteLine(StatusView.ToJson(new LoraComparison.ChildReport(run.PeakBytes, Resident(), run.StepSeconds, run.PolicyBytes)));
        return ExitCodes.Ok;
    }

    static long Resident()
    {
        ProcessMemory.SettledResidentMb();
        return ProcessMemory.ResidentBytes();
    }
}
