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
    /// <summary>A task of Core's task catalog: "hackbench" (synthetic, with a gold judge) or "jsonl" (prompts from <see cref="PromptsFile"/>).</summary>
    public string Task { get; init; } = "hackbench";
    public string? PromptsFile { get; init; }
    public int Prompts { get; init; } = 4096;

    public ModelSpec Model { get; init; } = new();
    public SftSpec Sft { get; init; } = new();
    public RewardSpec Reward { get; init; } = new();

    public string Method { get; init; } = "eppo";
    public double Eta { get; init; } = 2.0;
    public string ProbeSite { get; init; } = "down_proj";
    /// <summary>Optional floor r̂ ≥ c·r of the official code; null = off (as shipped).</summary>
    public double? EnergyFloor { get; init; }
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

    [JsonIgnore] public TrainingMethod TrainingMethod => TrainingMethods.Get(Method);

    /// <summary>The KL coefficient in force: β for methods with a KL penalty, 0 otherwise.</summary>
    [JsonIgnore] public double EffectiveKlBeta => TrainingMethod.Kl ? KlBeta : 0.0;

    /// <summary>How many reward models score a response: reward.members, else the method's own count.</summary>
    [JsonIgnore] public int RewardMembers => Reward.Members ?? TrainingMethod.RewardMembers;

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
    public static RunSpec Parse(string json, string source = "run spec")
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
        if (spec is null) throw new EppoException($"{source}: empty run spec");
        return spec.Validate(source);
    }

    public static RunSpec Load(string path)
    {
        if (!File.Exists(path)) throw new EppoException($"{path}: run spec file not found");
        return Parse(File.ReadAllText(path), path);
    }

    public RunSpec Validate(string source = "run spec")
    {
        void Require(bool ok, string field, string what)
        {
            if (!ok) throw new EppoException($"{source}: field '{field}': {what}");
        }

        Require(!string.IsNullOrWhiteSpace(Name) && Name.Length <= 64 && Name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.'),
            "name", "use 1–64 letters, digits, '-', '_' or '.'");
        Require(!string.IsNullOrWhiteSpace(Task), "task", "must name a task");
        Require(PromptsFile is null || File.Exists(PromptsFile), "prompts_file", $"file '{PromptsFile}' not found");
        Require(Prompts > 0, "prompts", "must be positive (an empty prompt set cannot train)");
        Require(TrainingMethods.Find(Method) is not null, "method",
            $"unknown method '{Method}' (expected one of {string.Join(", ", TrainingMethods.Names)})");
        Require(ProbeSites.Contains(ProbeSite), "probe_site",
            $"unknown probe site '{ProbeSite}' (expected one of {string.Join(", ", ProbeSites)})");
        Require(double.IsFinite(Eta) && Eta >= 0, "eta", "must be a finite number ≥ 0");
        Require(EnergyFloor is null || (double.IsFinite(EnergyFloor.Value) && EnergyFloor >= 0), "energy_floor", "must be ≥ 0 or null");
        Require(double.IsFinite(RewardClip) && RewardClip > 0, "reward_clip", "must be positive");
        Require(double.IsFinite(KlBeta) && KlBeta >= 0, "kl_beta", "must be ≥ 0");
        Require(KlTarget is null || KlTarget > 0, "kl_target", "must be positive or null");
        Require(KlHorizon > 0, "kl_horizon", "must be positive");
        Require(LengthScale > 0, "length_scale", "must be positive");
        Require(Iterations > 0, "iterations", "must be positive");
        Require(BatchSize > 0, "batch_size", "must be positive");
        Require(MiniBatchSize > 0 && BatchSize % MiniBatchSize == 0, "mini_batch_size",
            $"must be positive and divide batch_size ({BatchSize})");
        Require(PpoEpochs > 0, "ppo_epochs", "must be positive");
        Require(ActorLr > 0 && double.IsFinite(ActorLr), "actor_lr", "must be positive");
        Require(CriticLr > 0 && double.IsFinite(CriticLr), "critic_lr", "must be positive");
        Require(Gamma is > 0 and <= 1, "gamma", "must be in (0, 1]");
        Require(Lambda is >= 0 and <= 1, "lambda", "must be in [0, 1]");
        Require(ClipEps > 0, "clip_eps", "must be positive");
        Require(ValueClipEps > 0, "value_clip_eps", "must be positive");
        Require(MaxNewTokens is > 0 and <= 1024, "max_new_tokens", "must be in 1..1024");
        Require(Temperature > 0, "temperature", "must be positive");
        Require(TopK >= 0, "top_k", "must be ≥ 0 (0 = off)");
        Require(TopP is > 0 and <= 1, "top_p", "must be in (0, 1]");
        Require(CheckpointInterval > 0, "checkpoint_interval", "must be positive");
        Require(PromptShards > 0, "prompt_shards", "must be positive");
        Require(Generators > 0 && BatchSize % Generators == 0, "generators", $"must be positive and divide batch_size ({BatchSize})");
        Require(Scorers > 0 && BatchSize % Scorers == 0, "scorers", $"must be positive and divide batch_size ({BatchSize})");
        Model.Validate(source);
        Sft.Validate(source);
        Reward.Validate(source);
        Require(RewardCombination != RewardCombination.Single || RewardMembers == 1, "reward.combine",
            $"'single' scores with one reward model, but {RewardMembers} are configured (set reward.combine, e.g. \"mean\")");
        return this;
    }

    public static readonly IReadOnlyList<string> ProbeSites = ["block", "mlp", "down_proj", "mlp_linears"];
}
