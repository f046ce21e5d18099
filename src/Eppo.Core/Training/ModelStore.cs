using Eppo.Core.Checkpoints;
using Eppo.Core.Model;

namespace Eppo.Core.Training;

/// <summary>
/// A trained model on disk: its weights plus the config and head needed to rebuild it (no optimizer). A Hugging Face
/// checkpoint directory loads too (its architecture names the head), so one can be a run's SFT policy or reward model.
/// </summary>
public static class ModelStore
{
    /// <param name="RewardLatent">An InfoRM head's latent size (0 for other heads).</param>
    public sealed record Metadata(string Config, HeadKind Head, Dictionary<string, double> Extra, int RewardLatent = 0);

    public static void Save(string dir, DecoderModel model, Dictionary<string, double>? extra = null) =>
        Checkpoint.Save(dir, model, null, new Metadata(model.Config.ToJson(), model.Kind, extra ?? [], model.RewardLatent));

    public static (DecoderModel Model, Dictionary<string, double> Extra) Load(string dir, Model.EnergySite? site = null)
    {
        if (!Directory.Exists(dir)) throw new EppoException($"{dir}: model directory not found");
        if (!File.Exists(Path.Combine(dir, Checkpoint.ManifestFile)) && HuggingFaceCheckpoint.IsCheckpoint(dir))
        {
            var imported = HuggingFaceCheckpoint.Load(dir, site);
            imported.eval();
            return (imported, []);
        }
        var meta = Checkpoint.ReadMetadata<Metadata>(dir);
        var config = HuggingFaceConfig.Parse(meta.Config, $"{Path.Combine(dir, Checkpoint.MetadataFile)}: config");
        if (site is { } s) config = config with { ProbeSite = s };
        var model = new DecoderModel(config, meta.Head, rewardLatent: meta.RewardLatent);
        Checkpoint.Load(dir, model);
        model.eval();
        return (model, meta.Extra);
    }
}
