using System.ComponentModel;
using System.Globalization;
using Eppo.Core;
using Eppo.Core.Checkpoints;
using Eppo.Core.Text;
using Eppo.Core.Preparation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public class ModelDirSettings : CommandSettings
{
    [CommandArgument(0, "<DIR>"), Description("A Hugging Face checkpoint directory (config.json and safetensors)")]
    public string Dir { get; init; } = "";

    [CommandOption("--json"), Description("Print JSON instead of a table")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Directory.Exists(Dir) ? ValidationResult.Success() : ValidationResult.Error($"{Dir}: no such directory");
}

/// <summary>A checkpoint that a PEFT LoRA adapter may adapt.</summary>
public class AdaptedModelSettings : ModelDirSettings
{
    [CommandOption("--adapter <DIR>"), Description("A PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors) added to the model, unmerged")]
    public string? Adapter { get; init; }

    public override ValidationResult Validate() =>
        Adapter is not null && !Directory.Exists(Adapter) ? ValidationResult.Error($"--adapter: {Adapter}: no such directory") : base.Validate();
}

/// <summary>Architecture, sizes, parameter count, stored dtypes, files and tokenizer files of a checkpoint.</summary>
public sealed class ModelInspectCommand : Command<ModelDirSettings>
{
    public override int Execute(CommandContext context, ModelDirSettings settings, CancellationToken cancellation)
    {
        var s = HuggingFaceCheckpoint.Inspect(settings.Dir);
        var c = s.Config;
        var tokenizer = TokenizerSummary.Of(settings.Dir);
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(new
            {
                s.Architecture, Family = c.Family.ToString().ToLowerInvariant(), c.VocabSize, c.HiddenSize, c.Layers, c.Heads, c.KvHeads,
                c.IntermediateSize, c.MaxPositions, c.TieEmbeddings, c.RopeTheta, c.NormEps, s.Parameters, s.Dtypes, s.Files, s.TokenizerFiles,
                Tokenizer = tokenizer,
            }));
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("", "");
        table.AddRow("architecture", s.Architecture);
        table.AddRow("parameters", s.Parameters.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("hidden size / layers / heads / kv heads", $"{c.HiddenSize} / {c.Layers} / {c.Heads} / {c.KvHeads}");
        table.AddRow("intermediate / vocabulary / positions", $"{c.IntermediateSize} / {c.VocabSize} / {c.MaxPositions}");
        table.AddRow("tied head / rope θ / norm ε", $"{c.TieEmbeddings} / {c.RopeTheta} / {c.NormEps}");
        table.AddRow("stored as", string.Join(", ", s.Dtypes));
        table.AddRow("files", Markup.Escape(string.Join(", ", s.Files)));
        table.AddRow("tokenizer files", s.TokenizerFiles.Count == 0 ? "none" : Markup.Escape(string.Join(", ", s.TokenizerFiles)));
        if (tokenizer is not null)
            table.AddRow("tokenizer", Markup.Escape(tokenizer.Error ??
                $"{tokenizer.Source}, {tokenizer.VocabSize} ids, BOS {tokenizer.Bos ?? "none"}{(tokenizer.AddsBos ? " (added)" : "")}, EOS {tokenizer.Eos}, chat template {tokenizer.Template ?? "none"}"));
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary>What inspect says of a checkpoint's tokenizer; an unreadable one is shown, not fatal.</summary>
public sealed record TokenizerSummary(string? Source, int VocabSize, string? Bos, bool AddsBos, string? Eos, string? Template, string? Error)
{
    public static TokenizerSummary? Of(string dir)
    {
        if (!HuggingFaceTokenizer.Exists(dir)) return null;
        try
        {
            var t = HuggingFaceTokenizer.Load(dir);
            var template = ChatTemplate.Recognise(t.Config.ChatTemplate, Path.Combine(dir, TokenizerConfig.FileName));
            return new TokenizerSummary(t.Source, t.VocabSize, t.BosId < 0 ? null : t.TokenText(t.BosId), t.AddBos, t.TokenText(t.EosId),
                template?.Name, null);
        }
        catch (EppoException e)
        {
            return new TokenizerSummary(null, 0, null, false, null, null, e.Message);
        }
    }
}

public sealed class ModelLogitsSettings : AdaptedModelSettings
{
    [CommandOption("--tokens <IDS>"), Description("Comma-separated token ids, e.g. 1,2,3")]
    public string? Tokens { get; init; }

    public long[] TokenIds => (Tokens ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Tokens)) return ValidationResult.Error("--tokens: required (comma-separated token ids)");
        var bad = Tokens.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(t => !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        return bad is not null ? ValidationResult.Error($"--tokens: '{bad}' is not a token id") : base.Validate();
    }
}

/// <summary>The logits (T × V) for a token sequence, and the final layer's energy loss per token at every probe site.</summary>
public sealed class ModelLogitsCommand : Command<ModelLogitsSettings>
{
    public override int Execute(CommandContext context, ModelLogitsSettings settings, CancellationToken cancellation)
    {
        var ids = settings.TokenIds;
        var result = ComputeThreads.Run(() => CheckpointLogits.Compute(settings.Dir, ids, settings.Adapter));
        var (logits, energy) = (result.Logits, result.Energy);
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(new { Tokens = ids, Logits = logits, Energy = energy }));
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns(["t", "token", "argmax", "max logit", .. energy.Keys.Select(k => $"ΔE {k}")]);
        for (var t = 0; t < ids.Length; t++)
        {
            var best = Array.IndexOf(logits[t], logits[t].Max());
            table.AddRow([$"{t}", $"{ids[t]}", $"{best}", logits[t][best].ToString("F4", CultureInfo.InvariantCulture),
                .. energy.Values.Select(e => e[t].ToString("F5", CultureInfo.InvariantCulture))]);
        }
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}

public sealed class ModelGenerateSettings : AdaptedModelSettings
{
    [CommandOption("--prompt <TEXT>"), Description("The user's message, put through the model's tokenizer and chat template")]
    public string? Prompt { get; init; }

    [CommandOption("--tokens <IDS>"), Description("Prompt token ids instead of text (for a checkpoint without a tokenizer)")]
    public string? Tokens { get; init; }

    [CommandOption("--template <NAME>"), Description("Chat template: plain, hh, vicuna, llama3, chatml, or none (default: the model's tokenizer_config.json; none if it has none)")]
    public string? Template { get; init; }

    [CommandOption("--max-new-tokens <N>"), Description("Most tokens to generate (default 64)")]
    public int MaxNewTokens { get; init; } = 64;

    [CommandOption("--greedy"), Description("Argmax decoding instead of sampling")]
    public bool Greedy { get; init; }

    [CommandOption("--seed <S>"), Description("Sampling seed (default 0): the same seed gives the same text")]
    public long Seed { get; init; }

    [CommandOption("--temperature <T>"), Description("Sampling temperature (default 1)")]
    public double Temperature { get; init; } = 1.0;

    [CommandOption("--top-p <P>"), Description("Nucleus sampling mass (default 1 = off)")]
    public double TopP { get; init; } = 1.0;

    public long[]? TokenIds => Tokens?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();

    public override ValidationResult Validate()
    {
        if ((Prompt is null) == (Tokens is null)) return ValidationResult.Error("give either --prompt TEXT or --tokens IDS");
        var bad = Tokens?.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(t => !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (bad is not null) return ValidationResult.Error($"--tokens: '{bad}' is not a token id");
        if (MaxNewTokens <= 0) return ValidationResult.Error($"--max-new-tokens: must be positive, got {MaxNewTokens}");
        if (Template is not null && Template != CheckpointGeneration.NoTemplate && !ChatTemplate.Names.ContainsKey(Template))
            return ValidationResult.Error($"--template: '{Template}' is not one of {string.Join(", ", ChatTemplate.Names.Keys)}, none");
        return base.Validate();
    }
}

/// <summary>Text from a checkpoint: its tokenizer and chat template, the KV cache, greedy or seeded sampling; the energy of every response token.</summary>
public sealed class ModelGenerateCommand : Command<ModelGenerateSettings>
{
    public override int Execute(CommandContext context, ModelGenerateSettings settings, CancellationToken cancellation)
    {
        var request = new CheckpointGeneration.Request(settings.Dir, settings.Prompt, settings.TokenIds, settings.Template,
            settings.MaxNewTokens, settings.Greedy, settings.Seed, settings.Temperature, settings.TopP, settings.Adapter);
        var result = ComputeThreads.Run(() => CheckpointGeneration.Run(request));
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(result));
            return ExitCodes.Ok;
        }
        Console.WriteLine(result.Response ?? string.Join(",", result.ResponseIds));
        return ExitCodes.Ok;
    }
}

public sealed class ModelCreateSettings : CommandSettings
{
    [CommandOption("--shape <NAME>"), Description("tiny-gpt2, gpt2 or smollm-135m"), DefaultValue("tiny-gpt2")]
    public string Shape { get; init; } = "tiny-gpt2";

    [CommandOption("--out <DIR>"), Description("Where to write the checkpoint (replaced if it exists)")]
    public string? Out { get; init; }

    [CommandOption("--seed <S>"), Description("Seed of the random weights"), DefaultValue(1)]
    public int Seed { get; init; } = 1;

    public override ValidationResult Validate() =>
        ShapeOption.Check(Shape) is { Successful: false } shape ? shape
        : string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out: required (the directory to write)")
        : ValidationResult.Success();
}

/// <summary>A random checkpoint of a known shape in Hugging Face layout; GPT-2 shapes get GPT-2's real tokenizer files.</summary>
public sealed class ModelCreateCommand : Command<ModelCreateSettings>
{
    public override int Execute(CommandContext context, ModelCreateSettings settings, CancellationToken cancellation)
    {
        var config = Core.Model.ModelShapes.Get(settings.Shape);
        ComputeThreads.Run(() => Bench.ModelBenchmark.WriteCheckpoint(config, settings.Out!, settings.Seed));
        var tokenizer = config.Family == Core.Model.ModelFamily.Gpt2 && config.VocabSize == 50257;
        if (tokenizer) Gpt2TokenizerFiles.Write(settings.Out!);
        Console.WriteLine($"{settings.Out}: {settings.Shape}, random weights (seed {settings.Seed}){(tokenizer ? ", GPT-2 tokenizer" : ", no tokenizer files")}");
        return ExitCodes.Ok;
    }
}

public sealed class ModelExportSettings : CommandSettings
{
    [CommandArgument(0, "<SOURCE>"), Description("A run's checkpoint (…/checkpoints/iter-NNNNNN, its actor/ is exported), a model directory of ours (SFT policy, reward model) or a Hugging Face checkpoint")]
    public string Source { get; init; } = "";

    [CommandOption("--out <DIR>"), Description("Where to write config.json and model.safetensors (replaced if it exists)")]
    public string? Out { get; init; }

    [CommandOption("--tokenizer <DIR>"), Description("Copy the tokenizer files from this directory (default: the source's own, if it has any)")]
    public string? Tokenizer { get; init; }

    [CommandOption("--adapter-only"), Description("A LoRA run's policy as a PEFT adapter (adapter_config.json + adapter_model.safetensors) for its base")]
    public bool AdapterOnly { get; init; }

    [CommandOption("--merge"), Description("A LoRA run's policy merged into its base: a full Hugging Face checkpoint")]
    public bool Merge { get; init; }

    public override ValidationResult Validate() =>
        !Directory.Exists(Source) ? ValidationResult.Error($"{Source}: no such directory")
        : string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out: required (the directory to write)")
        : AdapterOnly && Merge ? ValidationResult.Error("--adapter-only and --merge: choose one")
        : Tokenizer is not null && TokenizerFiles.In(Tokenizer).Count == 0 ? ValidationResult.Error($"--tokenizer: {Tokenizer} holds no tokenizer files")
        : ValidationResult.Success();
}

/// <summary>A trained policy or reward model in Hugging Face layout (docs/models.md).</summary>
public sealed class ModelExportCommand : Command<ModelExportSettings>
{
    public override int Execute(CommandContext context, ModelExportSettings settings, CancellationToken cancellation)
    {
        var source = Directory.Exists(Path.Combine(settings.Source, "actor")) ? Path.Combine(settings.Source, "actor") : settings.Source;
        var adapted = !HuggingFaceCheckpoint.IsCheckpoint(source) && ModelStore.IsAdapterCheckpoint(source);
        if (adapted && !settings.AdapterOnly && !settings.Merge)
            throw new EppoException($"{source}: a LoRA policy (adapter weights on a base): choose --adapter-only (a PEFT adapter) or --merge (a full checkpoint)");
        if (!adapted && settings.AdapterOnly)
            throw new EppoException($"{source}: not a LoRA policy (no adapter weights): export it without --adapter-only");
        if (settings.AdapterOnly)
        {
            var baseName = ComputeThreads.Run(() => Core.Adapters.AdapterExport.Peft(source, settings.Out!));
            Console.WriteLine($"{settings.Out}: PEFT LoRA adapter for {baseName}");
            return ExitCodes.Ok;
        }
        var architecture = ComputeThreads.Run(() =>
        {
            using var model = HuggingFaceCheckpoint.IsCheckpoint(source) ? HuggingFaceCheckpoint.Load(source) : ModelStore.Load(source).Model;
            HuggingFaceExport.Save(model, settings.Out!, settings.Tokenizer ?? (TokenizerFiles.In(source).Count > 0 ? source : null));
            return HuggingFaceExport.Architecture(model);
        });
        Console.WriteLine($"{settings.Out}: {architecture}");
        return ExitCodes.Ok;
    }
}
