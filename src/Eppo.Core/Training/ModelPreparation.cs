using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Eppo.Contracts;
using Eppo.Core.Model;
using Eppo.Core.Tasks;

namespace Eppo.Core.Training;

/// <summary>
/// Produces the SFT policy and reward models a spec asks for. Trained models are cached under
/// {dataRoot}/models/{hash of the task, model, sft and reward sections and the seed}, so runs differing only in method
/// or RL hyperparameters share them (the demo trains SFT and RM once per seed for five methods).
/// </summary>
public static class ModelPreparation
{
    /// <param name="RewardPaths">One location per reward member: a checkpoint directory, or <see cref="RewardSpec.Gold"/>.</param>
    /// <param name="RewardHeldOutAccuracies">Held-out accuracy of each trained member (empty when none was trained).</param>
    public sealed record Result(string SftPath, IReadOnlyList<string> RewardPaths, IReadOnlyList<double> RewardHeldOutAccuracies,
        double SftSeconds, double RewardSeconds);

    public static Result Prepare(RunSpec spec, string dataRoot, Action<string>? progress = null)
    {
        var task = TrainingTasks.For(spec);
        var trained = TrainedPaths(spec, dataRoot);
        var sftPath = spec.Sft.Source == "train" ? trained.Sft : spec.Sft.Source;
        double sftSeconds = 0, rewardSeconds = 0;
        if (spec.Sft.Source == "train" && !Complete(sftPath))
        {
            var rows = task.SftRows(spec) ?? throw new EppoException($"sft.source: task '{task.Name}' has no SFT data; name a checkpoint directory");
            progress?.Invoke("training the SFT policy");
            // From the task's checkpoint (a Hugging Face policy), or from scratch in the spec's shape.
            using var policy = task.BasePolicy(spec) is { } basePolicy
                ? Checkpoints.HuggingFaceCheckpoint.Load(basePolicy, EnergySites.Parse(spec.ProbeSite))
                : new DecoderModel(ModelFactory.ConfigFor(spec, task.Codec.VocabSize), HeadKind.LanguageModel, spec.Seed);
            var report = SftTrainer.Train(policy, task.Codec, rows,
                new SftTrainer.Options(spec.Sft.Steps, spec.Sft.BatchSize, spec.Sft.Lr, spec.Seed),
                (step, loss) => { if (step % 100 == 0) progress?.Invoke($"sft step {step}/{spec.Sft.Steps}: loss {loss:F4}"); });
            ModelStore.Save(sftPath, policy, new() { ["final_loss"] = report.FinalLoss, ["seconds"] = report.Seconds });
            sftSeconds = report.Seconds;
        }

        switch (spec.Reward.Source)
        {
            case RewardSpec.Gold:
                return new Result(sftPath, [RewardSpec.Gold], [], sftSeconds, 0);
            case not RewardSpec.Train:
                return new Result(sftPath, spec.Reward.CheckpointDirectories, [], sftSeconds, 0);
        }

        var preferences = task.Preferences(spec)
                          ?? throw new EppoException($"reward.source: task '{task.Name}' has no preference data; name reward-model checkpoints");
        var paths = new List<string>();
        var accuracies = new List<double>();
        for (var member = 0; member < spec.RewardMembers; member++)
        {
            var rewardPath = trained.Rewards[member];
            if (!Complete(rewardPath))
            {
                progress?.Invoke(spec.RewardMembers == 1 ? "training the proxy reward model" : $"training proxy reward model {member + 1}/{spec.RewardMembers}");
                var (sft, _) = ModelStore.Load(sftPath);
                var r = spec.Reward;
                var seed = MemberSeed(spec.Seed, member);
                var data = preferences.Build(sft, task.Codec, new PreferenceRequest(r.Pairs, r.ResponsesPerPrompt, seed, spec.MaxNewTokens), progress);
                var (rm, report) = RewardModelTrainer.Train(sft, task.Codec, data, new RewardModelTrainer.Options(r.Epochs, r.BatchSize, r.Lr, seed), progress);
                // Figures a task cannot know (agreement with a gold judge it lacks) are NaN and left out.
                ModelStore.Save(rewardPath, rm, new Dictionary<string, double>
                {
                    ["held_out_accuracy"] = report.HeldOutAccuracy,
                    ["train_agreement_with_gold"] = report.TrainAgreementWithGold,
                    ["annotator_held_out_accuracy"] = report.AnnotatorHeldOutAccuracy,
                    ["norm_mean"] = report.Normalization.Mean,
                    ["norm_std"] = report.Normalization.Std,
                    ["seconds"] = report.Seconds,
                }.Where(kv => double.IsFinite(kv.Value)).ToDictionary());
                rewardSeconds += report.Seconds;
            }
            var (_, extra) = ModelStore.Load(rewardPath);
            paths.Add(rewardPath);
            accuracies.Add(extra.GetValueOrDefault("held_out_accuracy", double.NaN));
        }
        return new Result(sftPath, paths, accuracies, sftSeconds, rewardSeconds);
    }

    /// <summary>Where Prepare keeps the models it trains for <paramref name="spec"/>: the SFT policy, then one directory per reward member.</summary>
    public static (string Sft, IReadOnlyList<string> Rewards) TrainedPaths(RunSpec spec, string dataRoot)
    {
        var dir = Path.Combine(dataRoot, "models", SftKey(spec));
        return (Path.Combine(dir, "sft"),
            Enumerable.Range(0, spec.RewardMembers).Select(m => Path.Combine(dir, $"reward-{CacheKey(spec)}" + (m == 0 ? "" : $"-m{m}"))).ToArray());
    }

    /// <summary>Member 0 is trained with the run seed itself; every other member with its own data order, samples and init.</summary>
    static int MemberSeed(int seed, int member) => member == 0 ? seed : (int)Seeds.Combine(seed, (long)SeedStream.RewardMember, member);

    static bool Complete(string dir) => File.Exists(Path.Combine(dir, Checkpoints.Checkpoint.ManifestFile));

    /// <summary>
    /// Part of every model key: bump it when HackBench's prompts or SFT data, the annotator or the SFT/RM training
    /// change, so models cached by an older version are not reused (2: add split by phrasing, K-wise RM comparisons).
    /// </summary>
    const int PreparationVersion = 2;

    /// <summary>Identifies the trained SFT policy and RMs: what shapes them, nothing about RL.</summary>
    public static string CacheKey(RunSpec spec) =>
        Hash(new { PreparationVersion, spec.Task, spec.Text, spec.Model, spec.Sft, spec.Reward, spec.RewardMembers, spec.Seed, spec.MaxNewTokens });

    /// <summary>Identifies the SFT policy alone, so reward-model variants share it.</summary>
    static string SftKey(RunSpec spec) => Hash(new { PreparationVersion, spec.Task, spec.Text, spec.Model, spec.Sft, spec.Seed, Limit = spec.Text is null ? (int?)null : spec.MaxNewTokens });

    static string Hash(object identity) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(identity, RunSpec.Json))))[..16];

    public static DecoderModel LoadSft(string sftPath, RunSpec spec) => ModelStore.Load(sftPath, EnergySites.Parse(spec.ProbeSite)).Model;
}
