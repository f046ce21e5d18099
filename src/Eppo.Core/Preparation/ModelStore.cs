using Eppo.Core.Adapters;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;

namespace Eppo.Core.Preparation;

/// <summary>
/// A trained model on disk: its weights plus the config and head needed to rebuild it (no optimizer). A Hugging Face
/// checkpoint directory loads too (its architecture names the head), so one can be a run's SFT policy or reward model.
/// </summary>
public static class ModelStore
{
    /// <param name="RewardLatent">An InfoRM head's latent size (0 for other heads).</param>
    /// <param name="Adapter">Set when the weights are a LoRA adapter (a learner checkpoint's part): the base it adapts and its settings.</param>
    public sealed record Metadata(string Config, HeadKind Head, Dictionary<string, double> Extra, int RewardLatent = 0, AdapterReference? Adapter = null);

    public static void Save(string dir, DecoderModel model, Dictionary<string, double>? extra = null) =>
        Checkpoint.Save(dir, model, null, new Metadata(model.Config.ToJson(), model.Kind, extra ?? [], model.RewardLatent));

    /// <param name="dtype">The dtype a language model's weights are kept in (16-bit for a frozen base).</param>
    public static (DecoderModel Model, Dictionary<string, double> Extra) Load(string dir, Model.EnergySite? site = null, ScalarType dtype = ScalarType.Float32)
    {
        if (!Directory.Exists(dir)) throw new EppoException($"{dir}: model directory not found");
        if (!File.Exists(Path.Combine(dir, Checkpoint.ManifestFile)) && HuggingFaceCheckpoint.IsCheckpoint(dir))
        {
            var imported = HuggingFaceCheckpoint.Load(dir, site, dtype);
            imported.eval();
            return (imported, []);
        }
        var meta = Checkpoint.ReadMetadata<Metadata>(dir);
        if (meta.Adapter is { } adapter) return (LoadAdapted(dir, adapter, meta.Head, site), meta.Extra);
        var config = HuggingFaceConfig.Parse(meta.Config, $"{Path.Combine(dir, Checkpoint.MetadataFile)}: config");
        if (site is { } s) config = config with { ProbeSite = s };
        // Every tensor is loaded (the key set must match exactly), so the seeded init is skipped.
        var model = DecoderModel.ToOverwrite(config, meta.Head, meta.RewardLatent, dtype);
        try
        {
            Checkpoint.Load(dir, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return (model, meta.Extra);
    }

    /// <summary>A model directory's shape without its weights: a Hugging Face checkpoint's config.json, ours from its metadata.</summary>
    public static ModelConfig ConfigOf(string dir)
    {
        if (!File.Exists(Path.Combine(dir, Checkpoint.ManifestFile)) && HuggingFaceCheckpoint.IsCheckpoint(dir))
            return HuggingFaceConfig.Read(Path.Combine(dir, HuggingFaceCheckpoint.ConfigFile)).Config;
        var meta = Checkpoint.ReadMetadata<Metadata>(dir);
        return meta.Adapter is { } adapter ? ConfigOf(adapter.Base)
            : HuggingFaceConfig.Parse(meta.Config, $"{Path.Combine(dir, Checkpoint.MetadataFile)}: config");
    }

    /// <summary>The figures saved beside a model of ours (a reward model's normalisation, say); none for a Hugging Face checkpoint.</summary>
    public static Dictionary<string, double> Extra(string dir) =>
        File.Exists(Path.Combine(dir, Checkpoint.ManifestFile)) ? Checkpoint.ReadMetadata<Metadata>(dir).Extra : [];

    /// <summary>Whether <paramref name="dir"/> holds adapter weights (a LoRA learner checkpoint's part), not a whole model.</summary>
    public static bool IsAdapterCheckpoint(string dir) =>
        File.Exists(Path.Combine(dir, Checkpoint.ManifestFile)) && Checkpoint.ReadMetadata<Metadata>(dir).Adapter is not null;

    /// <summary>
    /// A policy saved as adapter weights: its base (loaded fp32 from where the checkpoint says) with the adapter merged
    /// in. A critic's adapter is not a model on its own.
    /// </summary>
    static DecoderModel LoadAdapted(string dir, AdapterReference reference, HeadKind head, Model.EnergySite? site)
    {
        if (head != HeadKind.LanguageModel)
            throw new EppoException($"{dir}: a critic's adapter and value head are not a standalone model (load the checkpoint's actor)");
        var settings = reference.Settings(Path.Combine(dir, Checkpoint.MetadataFile));
        if (!Directory.Exists(reference.Base))
            throw new EppoException($"{dir}: the adapter's base '{reference.Base}' is not a directory here (fetch the run's SFT model first)");
        var (model, _) = Load(reference.Base, site);
        try
        {
            using var adapter = LoraAdapter.ToOverwrite(settings.Lora, model);
            Checkpoint.Load(dir, adapter);
            LoraMerge.Into(model, adapter);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
