using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Eppo.Contracts;
using Eppo.Contracts.Messages;
using Eppo.Core.Model;
using Eppo.Core.Tasks;

namespace Eppo.Core.Preparation;

/// <summary>
/// Produces the SFT policy and reward models a spec asks for. Trained models are cached under
/// {dataRoot}/models/{hash of what shapes the SFT model: <see cref="SftIdentity"/>}/, the SFT policy as "sft" and each reward
/// model as "reward-{hash of what shapes it}" (<see cref="RewardMemberRecipe"/>), so runs differing only in method or
/// RL hyperparameters share them: the demo trains SFT and the proxy once per seed, and the three ensembles share
/// their members. <see cref="Prepare"/> does it all in one process; the model-trainer grains call the pieces
/// (<see cref="TrainSft"/>, <see cref="TrainMember"/> per member, <see cref="AverageWarm"/>) across silos.
/// </summary>
public static class ModelPreparation
{
    public static PreparedModels Prepare(RunSpec spec, string dataRoot, Action<string>? progress = null)
    {
        var (sftPath, sftSeconds) = PrepareSft(spec, dataRoot, progress);
        if (spec.Reward.Source != RewardSpec.Train) return Given(spec, sftPath, sftSeconds);
        var members = RewardPlan(spec).Select(recipe => TrainMember(spec, recipe, sftPath, MemberPath(spec, recipe, dataRoot), progress)).ToArray();
        var average = spec.TrainingMethod.RewardModel == RewardModelKind.Warm
            ? AverageWarm(spec, members.Select(m => m.Location).ToArray(), sftPath, WarmPath(spec, dataRoot), progress)
            : null;
        return Collect(spec, sftPath, sftSeconds, members, average);
    }

    /// <summary>The result when the reward source is given (gold, or checkpoints): nothing to train.</summary>
    public static PreparedModels Given(RunSpec spec, string sftPath, double sftSeconds) => new()
    {
        SftPath = sftPath, RewardPaths = spec.Reward.Source == RewardSpec.Gold ? [RewardSpec.Gold] : spec.Reward.CheckpointDirectories, SftSeconds = sftSeconds,
    };

    /// <summary>The run's result from its trained members (and WARM's average, which then is the one scoring member).</summary>
    public static PreparedModels Collect(RunSpec spec, string sftPath, double sftSeconds, IReadOnlyList<TrainedMember> members, TrainedMember? average)
    {
        var scoring = average is null ? members : [average];
        return new PreparedModels
        {
            SftPath = sftPath,
            RewardPaths = scoring.Select(m => m.Location).ToArray(),
            RewardHeldOutAccuracies = scoring.Select(m => m.Model.HeldOutAccuracy ?? double.NaN).ToArray(),
            RewardModels = members.Select(m => m.Model).Concat(average is null ? [] : [average.Model]).ToArray(),
            SftSeconds = sftSeconds,
            RewardSeconds = members.Sum(m => m.Seconds) + (average?.Seconds ?? 0),
        };
    }

    /// <summary>The SFT policy's location, trained now when the spec trains it and it is not cached; and the seconds that took.</summary>
    public static (string Path, double Seconds) PrepareSft(RunSpec spec, string dataRoot, Action<string>? progress = null)
    {
        if (!MakesSft(spec)) return (spec.Sft.Source, 0);
        var sftPath = SftPath(spec, dataRoot);
        return (sftPath, TrainSft(spec, sftPath, progress));
    }

    /// <summary>
    /// Trains the spec's SFT policy into <paramref name="sftPath"/> unless a complete one is there; the seconds it took
    /// (0 when cached). The caller chooses where (<see cref="SftPath"/>): the model-trainer grain keys it by the spec
    /// as stored at run start and trains from that spec with its inputs on this silo.
    /// </summary>
    public static double TrainSft(RunSpec spec, string sftPath, Action<string>? progress = null)
    {
        if (Complete(sftPath)) return 0;
        if (spec.Sft.Source != "train") return MergeSft(spec, sftPath, progress);
        var task = TrainingTasks.For(spec);
        var rows = task.SftRows(spec) ?? throw new EppoException($"sft.source: task '{task.Name}' has no SFT data; name a checkpoint directory");
        progress?.Invoke("training the SFT policy");
        // From the task's checkpoint (a Hugging Face policy), or from scratch in the spec's shape.
        using var policy = task.BasePolicy(spec) is { } basePolicy
            ? Checkpoints.HuggingFaceCheckpoint.Load(basePolicy, EnergySites.Parse(spec.ProbeSite))
            : new DecoderModel(ModelFactory.ConfigFor(spec, task.Codec.VocabSize), HeadKind.LanguageModel, spec.Seed);
        if (spec.Sft.Adapter is { } adapter) MergeAdapter(adapter, policy);
        var report = SftTrainer.Train(policy, task.Codec, rows,
            new SftTrainer.Options(spec.Sft.Steps, spec.Sft.BatchSize, spec.Sft.Lr, spec.Seed),
            (step, loss) => { if (step % 100 == 0) progress?.Invoke($"sft step {step}/{spec.Sft.Steps}: loss {loss:F4}"); });
        ModelStore.Save(sftPath, policy, new() { ["final_loss"] = report.FinalLoss, ["seconds"] = report.Seconds });
        return report.Seconds;
    }

    /// <summary>Whether the SFT policy is made by the preparation: trained, or the sft.source checkpoint with sft.adapter merged in.</summary>
    public static bool MakesSft(RunSpec spec) => spec.Sft.Source == "train" || spec.Sft.Adapter is not null;

    /// <summary>The sft.source checkpoint with sft.adapter merged in, saved as the SFT policy; the seconds it took.</summary>
    static double MergeSft(RunSpec spec, string sftPath, Action<string>? progress)
    {
        progress?.Invoke("merging sft.adapter into the SFT checkpoint");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (model, extra) = ModelStore.Load(spec.Sft.Source, EnergySites.Parse(spec.ProbeSite));
        using (model)
        {
            MergeAdapter(spec.Sft.Adapter!, model);
            ModelStore.Save(sftPath, model, new(extra) { ["seconds"] = clock.Elapsed.TotalSeconds });
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>A PEFT adapter merged into <paramref name="model"/> (PEFT's merge_and_unload), its saved modules (a trained lm_head, say) put in.</summary>
    static void MergeAdapter(string dir, DecoderModel model)
    {
        using var loaded = Adapters.PeftAdapter.Read(dir, model);
        loaded.ApplyModulesToSave(model);
        Adapters.LoraMerge.Into(model, loaded.Adapter);
    }

    /// <summary>
    /// The reward models a "train" source trains, in member order. Ensemble member m (Coste et al. 2024) has its own
    /// seed for data, order and init (member 0 the run seed: PPO's proxy). WARM's ingredients (Ramé et al. 2024) share
    /// the proxy's data and head init and differ in data order and learning rate (<see cref="WarmLrScale"/>); its first
    /// ingredient is the proxy. ODIN and InfoRM train one model of their own head on the proxy's data.
    /// </summary>
    public static IReadOnlyList<RewardMemberRecipe> RewardPlan(RunSpec spec)
    {
        if (spec.Reward.Source != RewardSpec.Train) return [];
        var (seed, count, kind) = (spec.Seed, spec.RewardMembers, spec.TrainingMethod.RewardModel);
        return kind switch
        {
            RewardModelKind.Odin or RewardModelKind.InfoRm =>
                [new RewardMemberRecipe(kind == RewardModelKind.Odin ? "odin" : "inform", RewardHeadOptions.For(kind, spec.Reward), seed, seed, seed, 1,
                    kind == RewardModelKind.Odin ? "odin" : "inform", 0)],
            RewardModelKind.Warm => Enumerable.Range(0, count)
                .Select(m => new RewardMemberRecipe($"warm ingredient {m + 1}/{count}", RewardHeadOptions.BradleyTerry, seed, MemberSeed(seed, m), seed, WarmLrScale(m),
                    m == 0 ? "bt" : "warm", m))
                .ToArray(),
            _ => Enumerable.Range(0, count)
                .Select(m => new RewardMemberRecipe(count == 1 ? "proxy" : $"member {m + 1}/{count}", RewardHeadOptions.BradleyTerry,
                    MemberSeed(seed, m), MemberSeed(seed, m), MemberSeed(seed, m), 1, "bt", m))
                .ToArray(),
        };
    }

    /// <summary>WARM's hyperparameter diversity: ingredient m trains at lr × 2^s[m], s = 0, −1, +1, −½, +½, −1½, +1½, … (the first is the proxy).</summary>
    public static double WarmLrScale(int ingredient) => Math.Pow(2, WarmLrExponents[ingredient % WarmLrExponents.Length]);

    static readonly double[] WarmLrExponents = [0, -1, 1, -0.5, 0.5, -1.5, 1.5, -2, 2, -0.25, 0.25, -0.75, 0.75, -1.25, 1.25, -1.75];

    /// <summary>Trains one reward model into <paramref name="path"/> (<see cref="MemberPath"/>), or finds it there; a failure names the member.</summary>
    public static TrainedMember TrainMember(RunSpec spec, RewardMemberRecipe recipe, string sftPath, string path, Action<string>? progress = null)
    {
        double seconds = 0;
        if (!Complete(path))
        {
            progress?.Invoke($"training reward model '{recipe.Role}'");
            try
            {
                var task = TrainingTasks.For(spec);
                var preferences = task.Preferences(spec)
                                  ?? throw new EppoException($"reward.source: task '{task.Name}' has no preference data; name reward-model checkpoints");
                using var sft = ModelStore.Load(sftPath).Model;
                var r = spec.Reward;
                var data = preferences.Build(sft, task.Codec, new PreferenceRequest(r.Pairs, r.ResponsesPerPrompt, recipe.DataSeed, spec.MaxNewTokens), progress);
                var (rm, report) = RewardModelTrainer.Train(sft, task.Codec, data,
                    new RewardModelTrainer.Options(r.Epochs, r.BatchSize, r.Lr * recipe.LrScale, recipe.OrderSeed, recipe.Head, recipe.InitSeed), progress);
                using (rm) Save(path, rm, report.HeldOutAccuracy, report.Normalization, report.Seconds, report.Figures,
                    new() { ["train_agreement_with_gold"] = report.TrainAgreementWithGold, ["annotator_held_out_accuracy"] = report.AnnotatorHeldOutAccuracy });
                seconds = report.Seconds;
            }
            catch (EppoException e)
            {
                throw new EppoException($"reward model '{recipe.Role}': {e.Message}");
            }
        }
        return new TrainedMember(path, Describe(recipe.Role, path), seconds);
    }

    /// <summary>
    /// WARM's model: the uniform weight average of its ingredients (all fine-tuned from the SFT trunk with one head init),
    /// measured and standardised on the proxy's held-out pairs like any trained reward model; kept in <paramref name="path"/> (<see cref="WarmPath"/>).
    /// </summary>
    public static TrainedMember AverageWarm(RunSpec spec, IReadOnlyList<string> ingredients, string sftPath, string path, Action<string>? progress = null)
    {
        double seconds = 0;
        if (!Complete(path))
        {
            progress?.Invoke($"averaging {ingredients.Count} WARM ingredients");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var task = TrainingTasks.For(spec);
            using var average = WeightAverage.Of(ingredients);
            using var sft = ModelStore.Load(sftPath).Model;
            var r = spec.Reward;
            // Held-out pairs only: the average trains on nothing.
            var heldOut = task.Preferences(spec)!.Build(sft, task.Codec, new PreferenceRequest(0, r.ResponsesPerPrompt, spec.Seed, spec.MaxNewTokens), progress).HeldOut;
            var (accuracy, normalization, figures) = RewardModelTrainer.Measure(average, task.Codec, heldOut);
            seconds = clock.Elapsed.TotalSeconds;
            Save(path, average, accuracy, normalization, seconds, figures, []);
        }
        return new TrainedMember(path, Describe("warm average", path), seconds);
    }

    static void Save(string path, DecoderModel rm, double accuracy, RewardNormalization normalization, double seconds,
        IReadOnlyDictionary<string, double>? figures, Dictionary<string, double> more)
    {
        var extra = new Dictionary<string, double>(more)
        {
            ["held_out_accuracy"] = accuracy,
            ["norm_mean"] = normalization.Mean,
            ["norm_std"] = normalization.Std,
            ["seconds"] = seconds,
        };
        foreach (var (key, value) in figures ?? new Dictionary<string, double>()) extra[key] = value;
        // Figures a task cannot know (agreement with a gold judge it lacks) are NaN and left out.
        ModelStore.Save(path, rm, extra.Where(kv => double.IsFinite(kv.Value)).ToDictionary());
    }

    static readonly string[] Figures = [RewardModelTrainer.QualityLengthCorrelation, RewardModelTrainer.LengthHeadCorrelation];

    static TrainedRewardModel Describe(string role, string path)
    {
        var extra = Checkpoints.Checkpoint.ReadMetadata<ModelStore.Metadata>(path).Extra;
        return new TrainedRewardModel(role, extra.TryGetValue("held_out_accuracy", out var a) ? a : null,
            Figures.Where(extra.ContainsKey).ToDictionary(f => f, f => extra[f]));
    }

    /// <summary>Member 0 is trained with the run seed itself; every other member with its own data order, samples and init.</summary>
    static int MemberSeed(int seed, int member) => member == 0 ? seed : (int)Seeds.Combine(seed, (long)SeedStream.RewardMember, member);

    static bool Complete(string dir) => File.Exists(Path.Combine(dir, Checkpoints.Checkpoint.ManifestFile));

    /// <summary>
    /// Part of every model key: bump it when HackBench's prompts or SFT data, the annotator or the SFT/RM training
    /// change, so models cached by an older version are not reused (2: add split by phrasing, K-wise RM comparisons).
    /// </summary>
    const int PreparationVersion = 2;

    /// <summary>Where the spec's trained SFT policy is kept.</summary>
    public static string SftPath(RunSpec spec, string dataRoot) => Path.Combine(dataRoot, "models", SftKey(spec), "sft");

    /// <summary>Where a reward model of the spec is kept: beside its SFT policy, named by what shapes it.</summary>
    public static string MemberPath(RunSpec spec, RewardMemberRecipe recipe, string dataRoot) =>
        Path.Combine(dataRoot, "models", SftKey(spec), "reward-" + MemberKey(spec, recipe));

    public static string WarmPath(RunSpec spec, string dataRoot) =>
        Path.Combine(dataRoot, "models", SftKey(spec), "reward-" + Hash(RewardPlan(spec).Select(r => MemberKey(spec, r)).ToArray()) + "-warm");

    /// <summary>Identifies the run's prepared models as a whole: what shapes them, nothing about RL. The model-trainer grain's key.</summary>
    public static string CacheKey(RunSpec spec) =>
        Hash(new { PreparationVersion, Sft = SftKey(spec), spec.Reward.Source, spec.Reward.Checkpoints, Members = RewardPlan(spec).Select(r => MemberKey(spec, r)).ToArray(),
            Warm = spec.TrainingMethod.RewardModel == RewardModelKind.Warm });

    /// <summary>Identifies one reward model: the SFT policy, the reward section's training fields and the recipe (not its role).</summary>
    public static string MemberKey(RunSpec spec, RewardMemberRecipe recipe) => Hash(new { Family = FamilyKey(spec, recipe), Recipe = recipe with { Role = "" } });

    /// <summary>
    /// The key of the trainer grain of a reward model, "reward-{family}/{index}": one activation per model (runs that
    /// share it train it once), and placement's "/{index}" puts a plan's members on consecutive silos.
    /// </summary>
    public static string TrainerKey(RunSpec spec, RewardMemberRecipe recipe) => $"reward-{FamilyKey(spec, recipe)}/{recipe.Index}";

    /// <summary>What a family of reward models shares: the SFT policy, the reward section's training fields, its head.</summary>
    static string FamilyKey(RunSpec spec, RewardMemberRecipe recipe) => Hash(new
    {
        PreparationVersion, Sft = SftKey(spec), spec.MaxNewTokens,
        Reward = spec.Reward with
        {
            Source = RewardSpec.Train, Members = null, Combine = null, UwoLambda = 0, OdinLengthWeight = 0, OdinOrthogonalWeight = 0, InformLatent = 0, InformBeta = 0,
        },
        recipe.Family, recipe.Head,
    });

    /// <summary>
    /// Identifies the SFT policy alone, so reward-model variants share it: the whole spec but what does not shape the
    /// SFT model (<see cref="SftIdentity"/>), so a new task section separates caches without an edit here.
    /// </summary>
    static string SftKey(RunSpec spec) => Hash(SftIdentity.Of(spec, TrainingTasks.For(spec).SftRowsFitMaxNewTokens, PreparationVersion));

    static string Hash(object identity) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(identity, RunSpec.Json))))[..16];

    public static DecoderModel LoadSft(string sftPath, RunSpec spec) => ModelStore.Load(sftPath, EnergySites.Parse(spec.ProbeSite)).Model;
}
