using System.ComponentModel;
using System.Globalization;
using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Model;
using Eppo.Core.Planning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class PlanSettings : CommandSettings
{
    [CommandArgument(0, "[SPEC]"), Description("A run spec (batch, minibatch, generators, scorers, lengths, model.adapter, model.dtype); the files it names need not exist here. Default: the spec's defaults")]
    public string? Spec { get; init; }

    [CommandOption("--shape <NAME>"), Description("The model, by shape: llama3-8b, llama2-7b, mistral-7b, gpt2, smollm-135m, tiny-gpt2")]
    public string? Shape { get; init; }

    [CommandOption("--model <DIR>"), Description("The model, from a checkpoint directory (Hugging Face's config.json, or ours); its weights are not read. Default: the spec's text.policy when it is here")]
    public string? Model { get; init; }

    [CommandOption("--device-memory|--gpu-memory <SIZE>"), Description("Memory per device (141GiB, 80GB, …)"), DefaultValue("141GiB")]
    public string DeviceMemory { get; init; } = "141GiB";

    [CommandOption("--devices <N>"), Description("Devices to place the grains on, one silo each; the learner gets one of its own when N > 1"), DefaultValue(1)]
    public int Devices { get; init; } = 1;

    [CommandOption("--overhead <SIZE>"), Description("Per device, for the process itself (CUDA context, allocator slack)"), DefaultValue("1GiB")]
    public string Overhead { get; init; } = "1GiB";

    [CommandOption("--json"), Description("Print one JSON object instead of tables")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Model is not null && Shape is not null ? ValidationResult.Error("--model and --shape: give one, not both")
        : Shape is not null && !ModelShapes.All.ContainsKey(Shape) ? ValidationResult.Error($"--shape: '{Shape}' is not one of {string.Join(", ", ModelShapes.All.Keys)}")
        : Devices is < 1 or > 4096 ? ValidationResult.Error($"--devices: {Devices} is not in 1..4096")
        : ValidationResult.Success();
}

/// <summary>`eppo plan`: a thin shell over <see cref="RunPlan"/>.</summary>
public sealed class PlanCommand : Command<PlanSettings>
{
    public override int Execute(CommandContext context, PlanSettings settings, CancellationToken cancellation)
    {
        var deviceBytes = ByteSize.Parse(settings.DeviceMemory, "--device-memory");
        var overhead = ByteSize.Parse(settings.Overhead, "--overhead");
        var (run, policy) = settings.Spec is { } spec
            ? PlanSpec.Load(spec)
            : new PlanSpec.Loaded(PlanRun.From(new RunSpec()) with { PromptTokens = new TextSpec().MaxPromptTokens }, null);
        var (name, config) = settings switch
        {
            { Shape: { } shape } => (shape, ModelShapes.Get(shape)),
            { Model: { } dir } => (dir, PlanSpec.ReadModel(dir)),
            _ when policy is not null && Directory.Exists(policy) => (policy, PlanSpec.ReadModel(policy)),
            _ when policy is not null => throw new EppoException($"{settings.Spec}: text.policy '{policy}' is not a directory here; give the model with --shape or --model"),
            _ => throw new EppoException("--model or --shape: give one (the model to plan), or a text spec whose text.policy is here"),
        };
        var plan = RunPlan.Build(name, config, run, settings.Devices, deviceBytes, overhead);
        if (settings.Json) Console.WriteLine(StatusView.ToJson(plan));
        else Render(plan);
        return ExitCodes.Ok;
    }

    static void Render(RunPlan plan)
    {
        var r = plan.Run;
        var p = plan.Parameters;
        var training = r.Lora is { } lora
            ? $"LoRA r {lora.Rank} ({Markup.Escape(lora.Targets.AllLinear ? "all-linear" : string.Join(", ", lora.Targets.Names.Count > 0 ? lora.Targets.Names : [lora.Targets.Pattern ?? ""]))}), " +
              $"{WeightDtypes.NameOf(r.BaseDtype)} base, {(r.SeparateCritic ? "separate fp32 critic" : "adapter critic")}: {Count(p.ActorTrained)} + {Count(p.CriticTrained)} trained"
            : $"full fine-tuning: {Count(p.ActorTrained)} + {Count(p.CriticTrained)} trained";
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(plan.Model)}[/]: {Count(p.Policy)} parameters; {training}");
        AnsiConsole.MarkupLine($"batch {r.BatchSize}, minibatch {r.MiniBatchSize}, {r.PromptTokens} prompt + {r.NewTokens} new tokens, " +
                               $"{r.Generators} generators, {r.RewardModels} reward model(s) × {r.Scorers} scorer chunk(s)");

        var memory = new Table().Border(TableBorder.Rounded).Title("memory per grain")
            .AddColumns("grain", "weights¹", "grads", "Adam", "activations", "KV cache²", "total", "fits³");
        foreach (var g in plan.Grains)
        {
            var fits = g.Total + plan.Placement.OverheadBytes <= plan.Placement.DeviceBytes;
            memory.AddRow($"{g.Kind} ×{g.Count}", Weights(g), Dash(g.Gradients), Dash(g.OptimizerState), B(g.Activations), Dash(g.KvCache),
                B(g.Total), fits ? "[green]yes[/]" : "[red]no[/]");
        }
        AnsiConsole.Write(memory);
        AnsiConsole.MarkupLine("[grey]¹ a frozen SFT model in its dtype is shared by the grains of a silo; a grain's own weights are fp32. ² part of the activations. ³ alone on one device.[/]");

        var phases = new Table().Border(TableBorder.Rounded).Title("transient peak per phase").AddColumns("grain", "phase", "bytes");
        foreach (var g in plan.Grains)
            foreach (var phase in g.Phases)
                phases.AddRow(g.Kind, Markup.Escape(phase.Name), phase.Name == g.PeakPhase && g.Phases.Count > 1 ? $"[bold]{B(phase.Bytes)}[/]" : B(phase.Bytes));
        AnsiConsole.Write(phases);

        var w = plan.Wire;
        var wire = new Table().Border(TableBorder.Rounded).Title("bytes on the wire per iteration").AddColumns("what", "bytes");
        wire.AddRow("one policy version, whole (fp32 safetensors)", B(w.WholePolicy));
        if (w.Adapter is { } adapter) wire.AddRow("one policy version, adapter only", $"{B(adapter)} ({(double)adapter / w.WholePolicy:P2} of whole)");
        wire.AddRow($"policy publication: to {r.Generators} generators", B(w.PolicyToGenerators));
        wire.AddRow("rollouts: prompts to the generators, responses and ΔE_RL back", B(w.Rollouts));
        wire.AddRow("scoring: prompts and responses to the scorers, rewards back", B(w.Scoring));
        wire.AddRow("energy reference: prompts, ΔE_SFT and the SFT answers back", B(w.EnergyReference));
        wire.AddRow("experience to the learner", B(w.Experience));
        wire.AddRow("[bold]total[/]", $"[bold]{B(w.Total)}[/]");
        AnsiConsole.Write(wire);

        var placement = new Table().Border(TableBorder.Rounded)
            .Title($"placement on {plan.Placement.Devices} × {B(plan.Placement.DeviceBytes)} (one silo per device; {B(plan.Placement.OverheadBytes)} process overhead each)")
            .AddColumns("device", "grains", "resident", "shared SFT", "activations", "total", "fits");
        foreach (var d in plan.Placement.Loads)
            placement.AddRow(d.Device.ToString(CultureInfo.InvariantCulture), d.Grains.Count == 0 ? "[grey]idle[/]" : Markup.Escape(string.Join(", ", d.Grains)),
                B(d.Resident), B(d.Shared), B(d.Activations), B(d.Total), d.Grains.Count == 0 ? "" : d.Fits ? "[green]yes[/]" : "[red]no[/]");
        AnsiConsole.Write(placement);
        AnsiConsole.MarkupLine((plan.Placement.Fits ? "[green]" : "[red]") + Markup.Escape(plan.Placement.Summary) + "[/]");
    }

    /// <summary>Weights by dtype: the shared frozen SFT model in its own, the grain's own in fp32.</summary>
    static string Weights(GrainMemory g)
    {
        var parts = new List<string>();
        if (g.SharedDtype is { } dtype) parts.Add($"{B(g.SharedWeights)} {Short(dtype)}");
        if (g.Weights > 0 || parts.Count == 0) parts.Add($"{B(g.Weights)} fp32");
        return string.Join(" + ", parts);
    }

    static string Short(TorchSharp.torch.ScalarType dtype) => dtype switch
    {
        TorchSharp.torch.ScalarType.BFloat16 => "bf16",
        TorchSharp.torch.ScalarType.Float16 => "fp16",
        _ => "fp32",
    };

    static string B(long bytes) => ByteSize.Format(bytes);

    static string Dash(long bytes) => bytes == 0 ? "—" : B(bytes);

    static string Count(long n) =>
        n >= 1e9 ? (n / 1e9).ToString("0.00 B", CultureInfo.InvariantCulture)
        : n >= 1e6 ? (n / 1e6).ToString("0.0 M", CultureInfo.InvariantCulture)
        : n.ToString("N0", CultureInfo.InvariantCulture);
}
