using System.ComponentModel;
using System.Globalization;
using Eppo.Core;
using Eppo.Core.Checkpoints;
using Eppo.Core.Training;
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

/// <summary>Architecture, sizes, parameter count, stored dtypes, files and tokenizer files of a checkpoint.</summary>
public sealed class ModelInspectCommand : Command<ModelDirSettings>
{
    public override int Execute(CommandContext context, ModelDirSettings settings, CancellationToken cancellation)
    {
        var s = HuggingFaceCheckpoint.Inspect(settings.Dir);
        var c = s.Config;
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(new
            {
                s.Architecture, Family = c.Family.ToString().ToLowerInvariant(), c.VocabSize, c.HiddenSize, c.Layers, c.Heads, c.KvHeads,
                c.IntermediateSize, c.MaxPositions, c.TieEmbeddings, c.RopeTheta, c.NormEps, s.Parameters, s.Dtypes, s.Files, s.TokenizerFiles,
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
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}

public sealed class ModelLogitsSettings : ModelDirSettings
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
        var result = ComputeThreads.Run(() => CheckpointLogits.Compute(settings.Dir, ids));
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

public sealed class ModelExportSettings : CommandSettings
{
    [CommandArgument(0, "<SOURCE>"), Description("A run's checkpoint (…/checkpoints/iter-NNNNNN, its actor/ is exported), a model directory of ours (SFT policy, reward model) or a Hugging Face checkpoint")]
    public string Source { get; init; } = "";

    [CommandOption("--out <DIR>"), Description("Where to write config.json and model.safetensors (replaced if it exists)")]
    public string? Out { get; init; }

    public override ValidationResult Validate() =>
        !Directory.Exists(Source) ? ValidationResult.Error($"{Source}: no such directory")
        : string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out: required (the directory to write)")
        : ValidationResult.Success();
}

/// <summary>A trained policy or reward model in Hugging Face layout (docs/models.md).</summary>
public sealed class ModelExportCommand : Command<ModelExportSettings>
{
    public override int Execute(CommandContext context, ModelExportSettings settings, CancellationToken cancellation)
    {
        var source = Directory.Exists(Path.Combine(settings.Source, "actor")) ? Path.Combine(settings.Source, "actor") : settings.Source;
        var architecture = ComputeThreads.Run(() =>
        {
            using var model = HuggingFaceCheckpoint.IsCheckpoint(source) ? HuggingFaceCheckpoint.Load(source) : ModelStore.Load(source).Model;
            HuggingFaceExport.Save(model, settings.Out!);
            return HuggingFaceExport.Architecture(model);
        });
        Console.WriteLine($"{settings.Out}: {architecture}");
        return ExitCodes.Ok;
    }
}
