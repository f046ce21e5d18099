using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Eppo.Core.HackBench;
using Eppo.Core.Model;
using Eppo.Core.Runs;

namespace Eppo.Core.Training;

/// <summary>
/// Produces the SFT policy and reward model a spec asks for. Trained models are cached under
/// {dataRoot}/models/{hash of the model, sft and reward sections and the seed}, so runs differing only in method or
/// RL hyperparameters share them (the demo trains SFT and RM once per seed for five methods).
/// </summary>
public static class ModelPreparation
{
    public sealed record Result(string SftPath, string RewardPath, double? RewardHeldOutAccuracy, double SftSeconds, double RewardSeconds);

    public static Result Prepare(RunSpec spec, string dataRoot, Action<string>? progress = null)
    {
        var codec = TaskCodec.HackBench();
        var dir = Path.Combine(dataRoot, "models", SftKey(spec));
        var sftPath = spec.Sft.Source == "train" ? Path.Combine(dir, "sft") : spec.Sft.Source;
        double sftSeconds = 0, rewardSeconds = 0;
        if (spec.Sft.Source == "train" && !Complete(sftPath))
        {
            progress?.Invoke("training the SFT policy");
            var config = ModelFactory.ConfigFor(spec, codec.VocabSize);
            var examples = SftDataset.Generate((int)Seeds.Combine(spec.Seed, 20), spec.Sft.Examples);
            var (policy, report) = SftTrainer.Train(config, codec, examples,
                new SftTrainer.Options(spec.Sft.Steps, spec.Sft.BatchSize, spec.Sft.Lr, spec.Seed),
                (step, loss) => { if (step % 100 == 0) progress?.Invoke($"sft step {step}/{spec.Sft.Steps}: loss {loss:F4}"); });
            ModelStore.Save(sftPath, policy, new() { ["final_loss"] = report.FinalLoss, ["seconds"] = report.Seconds });
            sftSeconds = report.Seconds;
        }

        if (spec.Reward.Source != "train")
            return new Result(sftPath, spec.Reward.Source, null, sftSeconds, 0);

        var rewardPath = Path.Combine(dir, "reward-" + CacheKey(spec));
        if (!Complete(rewardPath))
        {
            progress?.Invoke("training the proxy reward model");
            var (sft, _) = ModelStore.Load(sftPath);
            var r = spec.Reward;
            var (rm, report) = RewardModelTrainer.Train(sft, codec, new RewardModelTrainer.Options(
                r.Pairs, r.Epochs, r.BatchSize, r.Lr, spec.Seed, spec.MaxNewTokens,
                new PreferenceLabelerOptions(r.FlipProbability, r.LengthBias, r.CautionBias), r.ResponsesPerPrompt), progress);
            ModelStore.Save(rewardPath, rm, new()
            {
                ["held_out_accuracy"] = report.HeldOutAccuracy,
                ["train_agreement_with_gold"] = report.TrainAgreementWithGold,
                ["annotator_held_out_accuracy"] = report.AnnotatorHeldOutAccuracy,
                ["norm_mean"] = report.Normalization.Mean,
                ["norm_std"] = report.Normalization.Std,
                ["seconds"] = report.Seconds,
            });
            rewardSeconds = report.Seconds;
        }
        var (_, extra) = ModelStore.Load(rewardPath);
        return new Result(sftPath, rewardPath, extra.GetValueOrDefault("held_out_accuracy"), sftSeconds, rewardSeconds);
    }

    static bool Complete(string dir) => File.Exists(Path.Combine(dir, Checkpoints.Checkpoint.ManifestFile));

    /// <summary>
    /// Part of every model key: bump it when HackBench's prompts or SFT data, the annotator or the SFT/RM training
    /// change, so models cached by an older version are not reused (2: add split by phrasing, K-wise RM comparisons).
    /// </summary>
    const int PreparationVersion = 2;

    /// <summary>Identifies the trained SFT policy and RM: what shapes them, nothing about RL.</summary>
    public static string CacheKey(RunSpec spec) =>
        Hash(new { PreparationVersion, spec.Task, spec.Model, spec.Sft, spec.Reward, spec.Seed, spec.MaxNewTokens });

    /// <summary>Identifies the SFT policy alone, so reward-model variants share it.</summary>
    static string SftKey(RunSpec spec) => Hash(new { PreparationVersion, spec.Task, spec.Model, spec.Sft, spec.Seed });

    static string Hash(object identity) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(identity, RunSpec.Json))))[..16];

    /// <summary>The reward function a prepared run scores with: the proxy RM, or the gold judge.</summary>
    public static IRewardFunction RewardFunction(string rewardPath, TaskCodec codec)
    {
        if (rewardPath == "gold") return new GoldScorer(codec);
        var (rm, extra) = ModelStore.Load(rewardPath);
        return new RewardModelScorer(rm, codec, new RewardNormalization(extra.GetValueOrDefault("norm_mean", 0), extra.GetValueOrDefault("norm_std", 1)));
    }

    public static DecoderModel LoadSft(string sftPath, RunSpec spec) => ModelStore.Load(sftPath, EnergySites.Parse(spec.ProbeSite)).Model;
}
