using System.Text.Json;
using System.Text.Json.Serialization;

namespace Eppo.Contracts;

/// <summary>
/// Everything that defines a run: task, model sources, method and hyperparameters. Read from a JSON file with
/// snake_case fields (deploy/examples/*.json); <see cref="Validate"/> names the field of any bad value.
/// </summary>
public sealed record RunSpec
{
    public string Name { get; init; } = "run";
    /// <summary>A task of Core's task catalog: "hackbench" (synthetic, with a gold judge), "jsonl" (prompts from
    /// <see cref="PromptsFile"/>) or "text" (a Hugging Face policy on a preference dataset, <see cref="Text"/>).</summary>
    public string Task { get; init; } = "hackbench";
    /// <summary>The text task's checkpoint and data; only with task "text".</summary>
    public TextSpec? Text { get; init; }
    public string? PromptsFile { get; init; }
    public int Prompts { get; init; } = 4096;

    /// <summary>HackBench's SFT data mix; only with task "hackbench" (null: the task's default mix).</summary>
    [JsonPropertyName("hackbench"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HackBenchSpec? HackBench { get; init; }

    public ModelSpec Model { get; init; } = new();
    public SftSpec Sft { get; init; } = new();
    public RewardSpec Reward { get; init; } = new();

    public string Method { get; init; } = "eppo";
    public double Eta { get; init; } = 2.0;
    public string ProbeSite { get; init; } = "down_proj";
    /// <summary>Optional floor r̂ ≥ c·r of the official code; null = off (as shipped).</summary>
    public double? EnergyFloor { get; init; }
    /// <summary>EPPO's energy: "paper" (mean|in| − mean|out| at the probe site) or "official" (output energy mean|y| of each
    /// linear of the last MLP, |Δ| summed over them: the official Llama training path). docs/eppo.md.</summary>
    public string EnergyDefinition { get; init; } = "paper";
    /// <summary>Who reads the policy's answer's energy: "policy" (the paper: ΔE_RL) or "sft" (the frozen SFT model, so weight drift is not counted).</summary>
    public string EnergyReader { get; init; } = "policy";
    /// <summary>"raw" (the paper: η·|Δ|) or "spread": |Δ| in units of ΔE_SFT's spread over prompts, times the reward's running std.</summary>
    public string EnergyScale { get; init; } = "raw";
    /// <summary>Penalise only a rise of energy loss over ΔE_SFT (hacking raises it), not a fall.</summary>
    public bool EnergyOneSided { get; init; }
    public double RewardClip { get; init; } = 5.0;
    public double KlBeta { get; init; } = 0.05;
    /// <summary>When set, β adapts toward this KL (Ziegler et al.); otherwise β is fixed.</summary>
    public double? KlTarget { get; init; }
    public double KlHorizon { get; init; } = 10000;
    public double LengthScale { get; init; } = 8;

    public int Iterations { get; init; } = 100;
    public int BatchSize { get; init; } = 64;
    public int MiniBatchSize { get; init; } = 32;
    public int PpoEpochs { get; init; } = 1;
    public double ActorLr { get; init; } = 1e-4;
    public double CriticLr { get; init; } = 3e-4;
    public double Gamma { get; init; } = 1.0;
    public double Lambda { get; init; } = 0.95;
    public double ClipEps { get; init; } = 0.2;
    public double ValueClipEps { get; init; } = 0.2;
    public int MaxNewTokens { get; init; } = 12;
    public double Temperature { get; init; } = 1.0;
    public int TopK { get; init; }
    public double TopP { get; init; } = 1.0;

    public int Seed { get; init; } = 1;
    public int CheckpointInterval { get; init; } = 10;
    public int PromptShards { get; init; } = 2;
    public int Generators { get; init; } = 2;
    public int Scorers { get; init; } = 1;

    /// <summary>
    /// Data-parallel learner replicas, each on its own model-host silo (null: one). Fewer hosts than this run fewer
    /// replicas (the status says so); the in-process pipeline always runs one learner.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Learners { get; init; }

    /// <summary>The learner replicas asked for (<see cref="Learners"/>, else one).</summary>
    [JsonIgnore] public int LearnerReplicas => Learners ?? 1;

    /// <summary>
    /// Generation of the next iteration overlaps this one's scoring and learning (null: off): between two checkpoints the
    /// learner trains on rollouts one policy version old, its PPO ratio against the generators' log-probabilities.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Overlap { get; init; }

    [JsonIgnore] public bool Overlapped => Overlap == true;

    [JsonIgnore] public TrainingMethod TrainingMethod => TrainingMethods.Get(Method);

    /// <summary>The KL coefficient in force: β for methods with a KL penalty, 0 otherwise.</summary>
    [JsonIgnore] public double EffectiveKlBeta => TrainingMethod.Kl ? KlBeta : 0.0;

    /// <summary>
    /// How many reward models the source holds: the listed checkpoints, one gold judge, or reward.members trained (else
    /// the method's own count). For WARM they are the ingredients of one averaged model.
    /// </summary>
    [JsonIgnore] public int RewardMembers => Reward.Source switch
    {
        RewardSpec.Gold => 1,
        RewardSpec.Train => Reward.Members ?? TrainingMethod.RewardMembers,
        _ => Reward.CheckpointDirectories.Count,
    };

    /// <summary>How many reward models score each response: one for WARM (the average), else every member.</summary>
    [JsonIgnore] public int ScoringMembers => TrainingMethod.RewardModel == RewardModelKind.Warm ? 1 : RewardMembers;

    /// <summary>How the members' scores combine: reward.combine, else the method's combination.</summary>
    [JsonIgnore] public RewardCombination RewardCombination =>
        Reward.Combine is { } name ? RewardSpec.Combinations[name] : TrainingMethod.Combination;

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and validates; <paramref name="source"/> names the file in error messages.</summary>
    public static RunSpec Parse(string json, string source = "run spec") => Deserialize(json, source).Validate(source);

    /// <summary>
    /// Reads a spec without checking it: for a spec validated where it entered the system (run start), which silos
    /// read back from the run's state. Its files need not be on this machine (<see cref="Inputs"/>).
    /// </summary>
    public static RunSpec Deserialize(string json, string source = "run spec")
    {
        RunSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<RunSpec>(json, Json);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" field '{e.Path.TrimStart('$', '.')}':";
            var what = e.Message.Split(" Path:")[0].Split(". LineNumber")[0];
            throw new EppoException($"{source}:{field} {what}");
        }
        return spec ?? throw new EppoException($"{source}: empty run spec");
    }

    public static RunSpec Load(string path)
    {
        if (!File.Exists(path)) throw new EppoException($"{path}: run spec file not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// The files and directories the spec names, in field order: the text task's policy checkpoint, dataset and SFT rows,
    /// the prompts file, an SFT checkpoint, reward-model checkpoints. Run start stores them under content hashes, so no
    /// silo needs the client's paths.
    /// </summary>
    [JsonIgnore] public IReadOnlyList<SpecInput> Inputs
    {
        get
        {
            var inputs = new List<SpecInput>();
            MapInputs(input =>
            {
                inputs.Add(input);
                return input.Path;
            });
            return inputs;
        }
    }

    /// <summary>The spec with the path of every input (<see cref="Inputs"/>) replaced by <paramref name="map"/>'s answer.</summary>
    public RunSpec MapInputs(Func<SpecInput, string> map)
    {
        string? FileInput(string field, string? path) => path is null ? null : map(new SpecInput(field, path, IsDirectory: false));
        string DirectoryInput(string field, string path) => map(new SpecInput(field, path, IsDirectory: true));
        return this with
        {
            Text = Text is null ? null : Text with
            {
                Policy = Text.Policy is null ? null : DirectoryInput("text.policy", Text.Policy),
                Data = FileInput("text.data", Text.Data),
                SftData = FileInput("text.sft_data", Text.SftData),
            },
            PromptsFile = FileInput("prompts_file", PromptsFile),
            Sft = Sft with
            {
                Source = Sft.Source == "train" ? Sft.Source : DirectoryInput("sft.source", Sft.Source),
                Adapter = Sft.Adapter is null ? null : DirectoryInput("sft.adapter", Sft.Adapter),
            },
            Reward = Reward.Source switch
            {
                RewardSpec.Train or RewardSpec.Gold => Reward,
                RewardSpec.FromCheckpoints => Reward with { Checkpoints = Reward.Checkpoints?.Select((dir, i) => DirectoryInput($"reward.checkpoints[{i}]", dir)).ToArray() },
                _ => Reward with { Source = DirectoryInput("reward.source", Reward.Source) },
            },
        };
    }

    /// <summary>Checks every field against its bound (docs/run-spec.md lists them); the first bad one is an error naming it.</summary>
    public RunSpec Validate(string source = "run spec")
    {
        var c = new SpecCheck(source);
        c.Require(!string.IsNullOrWhiteSpace(Name) && Name.Length <= 64 && Name.All(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.'),
            "name", "use 1–64 letters, digits, '-', '_' or '.'");
        c.Require(!string.IsNullOrWhiteSpace(Task), "task", "must name a task");
        c.Require(PromptsFile is null || File.Exists(PromptsFile), "prompts_file", $"file '{PromptsFile}' not found");
        c.Within(Prompts, 1, Limits.MaxPrompts, "prompts", " (an empty prompt set cannot train)");
        c.Require(TrainingMethods.Find(Method) is not null, "method",
            $"unknown method '{Method}' (expected one of {string.Join(", ", TrainingMethods.Names)})");
        c.Require(ProbeSites.Contains(ProbeSite), "probe_site",
            $"unknown probe site '{ProbeSite}' (expected one of {string.Join(", ", ProbeSites)})");
        c.Within(Eta, 0, Limits.MaxEta, "eta");
        if (EnergyFloor is { } floor) c.Within(floor, 0, 1, "energy_floor");
        c.Require(EnergyDefinitions.Contains(EnergyDefinition), "energy_definition",
            $"unknown energy definition '{EnergyDefinition}' (expected one of {string.Join(", ", EnergyDefinitions)})");
        c.Require(EnergyReaders.Contains(EnergyReader), "energy_reader", $"unknown energy reader '{EnergyReader}' (expected one of {string.Join(", ", EnergyReaders)})");
        c.Require(EnergyScales.Contains(EnergyScale), "energy_scale", $"unknown energy scale '{EnergyScale}' (expected one of {string.Join(", ", EnergyScales)})");
        c.Require(EnergyScale != "spread" || Prompts > 1, "energy_scale",
            "'spread' measures the penalty in units of ΔE_SFT's spread over prompts, which is 0 with one prompt; use \"raw\"");

        c.Within(RewardClip, 0, Limits.MaxRewardClip, "reward_clip", openBelow: true);
        c.Within(KlBeta, 0, Limits.MaxKlBeta, "kl_beta");
        if (KlTarget is { } target) c.Within(target, 0, Limits.MaxKlTarget, "kl_target", openBelow: true);
        c.Within(KlHorizon, 1, 1e9, "kl_horizon");
        c.Within(LengthScale, 0, 1e6, "length_scale", openBelow: true);
        c.Within(Iterations, 1, Limits.MaxIterations, "iterations");
        c.Within(BatchSize, 1, Limits.MaxBatch, "batch_size");
        c.Require(MiniBatchSize > 0 && BatchSize % MiniBatchSize == 0, "mini_batch_size", $"must be positive and divide batch_size ({BatchSize})");
        c.Within(PpoEpochs, 1, 100, "ppo_epochs");
        c.LearningRate(ActorLr, "actor_lr");
        c.LearningRate(CriticLr, "critic_lr");
        c.Within(Gamma, 0, 1, "gamma", openBelow: true);
        c.Within(Lambda, 0, 1, "lambda");
        c.Within(ClipEps, 0, 1, "clip_eps", openBelow: true);
        c.Within(ValueClipEps, 0, 100, "value_clip_eps", openBelow: true);
        c.Within(MaxNewTokens, 1, Limits.MaxNewTokens, "max_new_tokens");
        c.Within(Temperature, 0, 100, "temperature", openBelow: true);
        c.Within(TopK, 0, 1_000_000, "top_k", " (0 = off)");
        c.Within(TopP, 0, 1, "top_p", openBelow: true);
        c.Within(CheckpointInterval, 1, Limits.MaxIterations, "checkpoint_interval");
        c.Within(PromptShards, 1, Limits.MaxStageGrains, "prompt_shards");
        c.Require(Generators is > 0 and <= Limits.MaxStageGrains && BatchSize % Generators == 0, "generators",
            $"must be in 1..{Limits.MaxStageGrains} and divide batch_size ({BatchSize})");
        c.Require(Scorers is > 0 and <= Limits.MaxStageGrains && BatchSize % Scorers == 0, "scorers",
            $"must be in 1..{Limits.MaxStageGrains} and divide batch_size ({BatchSize})");
        if (Learners is { } learners)
            c.Require(learners is > 0 and <= Limits.MaxLearners && learners <= BatchSize, "learners",
                $"must be in 1..{Limits.MaxLearners} and at most batch_size ({BatchSize}): each replica learns on its share of the rows (got {learners})");
        Model.Validate(source);
        Sft.Validate(source);
        Reward.Validate(source);
        c.Require((Task == "text") == (Text is not null), "text", Task == "text" ? "required when task is \"text\"" : "only used when task is \"text\"");
        Text?.Validate(source);
        c.Require(HackBench is null || Task == "hackbench", "hackbench", $"only used when task is \"hackbench\" (task is \"{Task}\")");
        HackBench?.Validate(source);
        var method = TrainingMethod;
        c.Require(method.RewardModel == RewardModelKind.BradleyTerry || Reward.Source == RewardSpec.Train, "reward.source",
            $"method '{Method}' trains its own {method.RewardModel} reward model; use \"train\" (got '{Reward.Source}')");
        var ensemble = method.Combination != RewardCombination.Single || method.RewardModel == RewardModelKind.Warm;
        c.Require(!ensemble || RewardMembers >= 2, Reward.Source == RewardSpec.Train ? "reward.members" : "reward.checkpoints",
            $"method '{Method}' combines at least 2 reward models (got {RewardMembers})");
        c.Require(RewardCombination != RewardCombination.Single || ScoringMembers == 1, "reward.combine",
            $"'single' scores with one reward model, but {ScoringMembers} are configured (set reward.combine, e.g. \"mean\")");
        return this;
    }

    /// <summary>The bounds of the run spec (docs/run-spec.md): beyond them a run cannot work or only diverges.</summary>
    public static class Limits
    {
        public const int MaxPrompts = 10_000_000, MaxIterations = 10_000_000, MaxBatch = 65_536, MaxNewTokens = 4096, MaxStageGrains = 256, MaxLearners = 64;
        public const double MaxEta = 1000, MaxRewardClip = 1000, MaxKlBeta = 100, MaxKlTarget = 1000;
    }

    public static readonly IReadOnlyList<string> ProbeSites = ["block", "mlp", "down_proj", "mlp_linears"];
    public static readonly IReadOnlyList<string> EnergyDefinitions = ["paper", "official"];
    public static readonly IReadOnlyList<string> EnergyReaders = ["policy", "sft"];
    public static readonly IReadOnlyList<string> EnergyScales = ["raw", "spread"];
}
