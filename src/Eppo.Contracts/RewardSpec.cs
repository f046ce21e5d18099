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
    /// <summary>How member scores combine: "single", "mean", "min" or "uwo"; null = the method's.</summary>
    public string? Combine { get; init; }
    /// <summary>λ of "uwo": mean − λ·variance of the standardised member scores.</summary>
    public double UwoLambda { get; init; } = 0.1;
    /// <summary>ODIN's weight of the length-correlation loss |ρ(r_Q, L)| − ρ(r_L, L).</summary>
    public double OdinLengthWeight { get; init; } = 1.0;
    /// <summary>ODIN's weight of the orthogonality loss |w_Q · w_L|.</summary>
    public double OdinOrthogonalWeight { get; init; } = 1.0;
    /// <summary>InfoRM's latent size.</summary>
    public int InformLatent { get; init; } = 32;
    /// <summary>InfoRM's β: loss = Bradley–Terry + β·KL(N(μ, σ²) ‖ N(0, 1)).</summary>
    public double InformBeta { get; init; } = 1.0;

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
        ["min"] = RewardCombination.Min,
        ["uwo"] = RewardCombination.Uwo,
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
        var c = new SpecCheck(source, "reward.");
        c.Require(!string.IsNullOrWhiteSpace(Source), "source", "must be \"train\", \"gold\", \"checkpoints\" or a checkpoint directory");
        if (Source == FromCheckpoints)
            c.Require(Checkpoints is { Count: > 0 }, "checkpoints", "list the reward-model directories when source is \"checkpoints\"");
        else
            c.Require(Checkpoints is null, "checkpoints", "only used when source is \"checkpoints\"");
        foreach (var (dir, i) in CheckpointDirectories.Select((d, i) => (d, i)))
            c.Require(Directory.Exists(dir), Source == FromCheckpoints ? $"checkpoints[{i}]" : "source", Source == FromCheckpoints
                ? $"checkpoint directory '{dir}' not found"
                : $"'{dir}' is neither a reward source (\"{Train}\", \"{Gold}\", \"{FromCheckpoints}\") nor an existing checkpoint directory");
        c.Require(CheckpointDirectories.Count <= MaxMembers, "checkpoints", $"at most {MaxMembers} reward models");
        if (Members is { } members) c.Within(members, 1, MaxMembers, "members");
        c.Require(Members is null || Source == Train, "members", "only used when source is \"train\" (with checkpoints, list them)");
        c.Require(Combine is null || Combinations.ContainsKey(Combine), "combine",
            $"unknown combination '{Combine}' (expected one of {string.Join(", ", Combinations.Keys)})");
        c.Require(Source != Gold || Combine is null or "single", "combine", "the gold judge is one scorer");
        c.Within(UwoLambda, 0, 1e6, "uwo_lambda");
        c.Within(OdinLengthWeight, 0, 1e6, "odin_length_weight");
        c.Within(OdinOrthogonalWeight, 0, 1e6, "odin_orthogonal_weight");
        c.Within(InformLatent, 1, 65_536, "inform_latent");
        c.Within(InformBeta, 0, 1e6, "inform_beta");
        c.Within(Pairs, 1, 10_000_000, "pairs");
        c.Within(ResponsesPerPrompt, 2, 16, "responses_per_prompt");
        c.Within(Epochs, 1, 1000, "epochs");
        c.Within(BatchSize, 1, 65_536, "batch_size");
        c.LearningRate(Lr, "lr");
        c.Require(FlipProbability is >= 0 and < 0.5, "flip_probability", $"must be in [0, 0.5): at 0.5 labels carry no preference (got {FlipProbability})");
        c.Within(LengthBias, -100, 100, "length_bias");
        c.Within(CautionBias, -100, 100, "caution_bias");
    }

    public const int MaxMembers = 16;
}
