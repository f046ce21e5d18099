namespace Eppo.Contracts;

/// <summary>
/// What scores a response. Source: "train" (reward models trained on the task's preference data — for HackBench a
/// simulated annotator's noisy, biased gold labels), "gold" (the task's programmatic judge: no hacking possible, a
/// control), "checkpoints" (the reward models listed in <see cref="Checkpoints"/>) or one checkpoint directory.
/// Several reward models (members) are combined by <see cref="Combine"/>; both default to the method's own.
/// </summary>
public sealed record RewardSpec
{
    public const string Train = "train";
    public const string Gold = "gold";
    public const string FromCheckpoints = "checkpoints";

    public string Source { get; init; } = Train;
    /// <summary>Reward-model directories when <see cref="Source"/> is "checkpoints".</summary>
    public IReadOnlyList<string>? Checkpoints { get; init; }
    /// <summary>Reward models trained when <see cref="Source"/> is "train" (member m > 0 with its own seed); null = the method's.</summary>
    public int? Members { get; init; }
    /// <summary>How member scores combine: "single" or "mean"; null = the method's.</summary>
    public string? Combine { get; init; }

    public int Pairs { get; init; } = 15000;
    /// <summary>K: responses sampled per prompt, all distinct pairs among them labelled (InstructGPT's K-wise comparisons).</summary>
    public int ResponsesPerPrompt { get; init; } = 4;
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 128;
    public double Lr { get; init; } = 1e-3;
    public double FlipProbability { get; init; } = 0.25;
    public double LengthBias { get; init; } = 0.3;
    public double CautionBias { get; init; } = 0.6;

    public static readonly IReadOnlyDictionary<string, RewardCombination> Combinations = new Dictionary<string, RewardCombination>
    {
        ["single"] = RewardCombination.Single,
        ["mean"] = RewardCombination.Mean,
    };

    /// <summary>The checkpoint directories this spec scores with, when they come from files (empty for "train" and "gold").</summary>
    public IReadOnlyList<string> CheckpointDirectories => Source switch
    {
        Train or Gold => [],
        FromCheckpoints => Checkpoints ?? [],
        _ => [Source],
    };

    public void Validate(string source)
    {
        void Require(bool ok, string field, string what)
        {
            if (!ok) throw new EppoException($"{source}: field 'reward.{field}': {what}");
        }
        Require(!string.IsNullOrWhiteSpace(Source), "source", "must be \"train\", \"gold\", \"checkpoints\" or a checkpoint directory");
        if (Source == FromCheckpoints)
            Require(Checkpoints is { Count: > 0 }, "checkpoints", "list the reward-model directories when source is \"checkpoints\"");
        else
            Require(Checkpoints is null, "checkpoints", "only used when source is \"checkpoints\"");
        foreach (var (dir, i) in CheckpointDirectories.Select((d, i) => (d, i)))
            Require(Directory.Exists(dir), Source == FromCheckpoints ? $"checkpoints[{i}]" : "source", $"checkpoint directory '{dir}' not found");
        Require(Members is null || Members is >= 1 and <= 16, "members", "must be between 1 and 16");
        Require(Members is null || Source == Train, "members", "only used when source is \"train\" (with checkpoints, list them)");
        Require(Combine is null || Combinations.ContainsKey(Combine), "combine",
            $"unknown combination '{Combine}' (expected one of {string.Join(", ", Combinations.Keys)})");
        Require(Source != Gold || Combine is null or "single", "combine", "the gold judge is one scorer");
        Require(Pairs > 0, "pairs", "must be positive");
        Require(ResponsesPerPrompt is >= 2 and <= 16, "responses_per_prompt", "must be between 2 and 16");
        Require(Epochs > 0, "epochs", "must be positive");
        Require(BatchSize > 0, "batch_size", "must be positive");
        Require(Lr > 0 && double.IsFinite(Lr), "lr", "must be positive");
        Require(FlipProbability is >= 0 and < 0.5, "flip_probability", "must be in [0, 0.5)");
        Require(double.IsFinite(LengthBias), "length_bias", "must be finite");
        Require(double.IsFinite(CautionBias), "caution_bias", "must be finite");
    }
}
