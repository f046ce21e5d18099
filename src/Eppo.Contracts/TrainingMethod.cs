namespace Eppo.Contracts;

/// <summary>A term a method adds to the reward source's score before PPO (then the sum is clipped to ±reward_clip).</summary>
public enum ShapingTerm
{
    /// <summary>EPPO: −η·|ΔE_SFT − ΔE_RL| (optionally floored at c·r).</summary>
    EnergyPenalty,
    /// <summary>PPO w/ LP of the official repo: +(1 − L/N)·σ_r, σ_r the running std of the scores.</summary>
    LengthPenalty,
    /// <summary>PAR (Fu et al. 2025): r̂ = sigmoid(r − r_ref), r_ref the score of the SFT model's greedy answer to the prompt.</summary>
    ReferenceSigmoid,
}

/// <summary>How the scores of a reward source's members (one or more reward models) become one score per response.</summary>
public enum RewardCombination
{
    /// <summary>One member; its score as it is.</summary>
    Single,
    /// <summary>The members' mean (ERM-Mean, Coste et al. 2024).</summary>
    Mean,
    /// <summary>The members' minimum: worst-case optimisation (ERM-WCO).</summary>
    Min,
    /// <summary>Mean − λ·variance over the members: uncertainty-weighted optimisation (ERM-UWO; λ = reward.uwo_lambda).</summary>
    Uwo,
}

/// <summary>How a method's reward models are trained (the reward side of the method table).</summary>
public enum RewardModelKind
{
    /// <summary>A scalar head, Bradley–Terry loss (InstructGPT).</summary>
    BradleyTerry,
    /// <summary>ODIN (Chen et al. 2024): quality and length heads; RL reads the quality head.</summary>
    Odin,
    /// <summary>InfoRM (Miao et al. 2024): a variational information bottleneck between the features and the reward.</summary>
    InfoRm,
    /// <summary>WARM (Ramé et al. 2024): Bradley–Terry ingredients from one init, weight-averaged into one model.</summary>
    Warm,
}

/// <summary>
/// One RL method: which reward it optimises and what shapes it. Validation, the learner, the demo, the CLI help and
/// the report all read <see cref="TrainingMethods.All"/>; a method that composes existing parts is one entry there.
/// </summary>
public sealed record TrainingMethod
{
    public required string Name { get; init; }
    /// <summary>One line for help texts and the report.</summary>
    public required string Summary { get; init; }
    /// <summary>How many reward models score each response (trained with different seeds when the spec trains them).</summary>
    public int RewardMembers { get; init; } = 1;
    public RewardCombination Combination { get; init; } = RewardCombination.Single;
    public RewardModelKind RewardModel { get; init; } = RewardModelKind.BradleyTerry;
    public IReadOnlyList<ShapingTerm> Shaping { get; init; } = [];
    /// <summary>Per-token −β·KL to the frozen SFT policy.</summary>
    public bool Kl { get; init; }
    /// <summary>Whether `eppo demo` runs it by default.</summary>
    public bool InDemo { get; init; } = true;
    /// <summary>Methods the report also compares this one with, beyond the reference method's row.</summary>
    public IReadOnlyList<string> Contrasts { get; init; } = [];

    public bool Shapes(ShapingTerm term) => Shaping.Contains(term);
}

public static class TrainingMethods
{
    /// <summary>Every method, in the report's order.</summary>
    public static readonly IReadOnlyList<TrainingMethod> All =
    [
        new() { Name = "ppo", Summary = "RM score at the last token, no KL (β = 0)" },
        new() { Name = "ppo-kl", Summary = "RM score plus a per-token −β·KL to the SFT policy", Kl = true },
        new() { Name = "ppo-lp", Summary = "RM score with the official repo's length penalty r + (1 − L/N)·σ_r", Shaping = [ShapingTerm.LengthPenalty] },
        new() { Name = "eppo", Summary = "energy-loss penalty r − η·|ΔE_SFT − ΔE_RL|", Shaping = [ShapingTerm.EnergyPenalty] },
        new()
        {
            Name = "eppo-kl", Summary = "EPPO's penalty and a per-token KL penalty together", Shaping = [ShapingTerm.EnergyPenalty], Kl = true,
            Contrasts = ["ppo-kl", "eppo"],
        },
        new()
        {
            Name = "erm-mean", Summary = "the mean of K reward models trained with different seeds (Coste et al. 2024)",
            RewardMembers = Ensemble, Combination = RewardCombination.Mean, InDemo = false,
        },
        new()
        {
            Name = "erm-wco", Summary = "the minimum of K reward models (worst-case optimisation)",
            RewardMembers = Ensemble, Combination = RewardCombination.Min, InDemo = false,
        },
        new()
        {
            Name = "erm-uwo", Summary = "mean − λ·variance of K reward models (uncertainty-weighted optimisation)",
            RewardMembers = Ensemble, Combination = RewardCombination.Uwo, InDemo = false,
        },
        new()
        {
            Name = "warm", Summary = "one reward model, the weight average of M fine-tuned from one init (Ramé et al. 2024)",
            RewardMembers = Ensemble, RewardModel = RewardModelKind.Warm, InDemo = false,
        },
        new() { Name = "odin", Summary = "the quality head of a reward model with a disentangled length head (Chen et al. 2024)", RewardModel = RewardModelKind.Odin, InDemo = false },
        new() { Name = "inform", Summary = "an information-bottleneck reward model (Miao et al. 2024)", RewardModel = RewardModelKind.InfoRm, InDemo = false },
        new()
        {
            Name = "eppo-odin", Summary = "EPPO's penalty on ODIN's quality reward", RewardModel = RewardModelKind.Odin,
            Shaping = [ShapingTerm.EnergyPenalty], InDemo = false,
        },
        new()
        {
            Name = "eppo-inform", Summary = "EPPO's penalty on InfoRM's reward", RewardModel = RewardModelKind.InfoRm,
            Shaping = [ShapingTerm.EnergyPenalty], InDemo = false,
        },
        new()
        {
            Name = "par", Summary = "sigmoid(r − r_ref), r_ref the score of SFT's own greedy answer (Fu et al. 2025)",
            Shaping = [ShapingTerm.ReferenceSigmoid], InDemo = false,
        },
    ];

    /// <summary>K, the ensembles' and WARM's default number of reward models (reward.members sets it).</summary>
    public const int Ensemble = 4;

    /// <summary>The paper's Table 1: the opponents EPPO is compared with on the same (plain Bradley–Terry) reward model.</summary>
    public static readonly IReadOnlyList<string> TableOne = ["sft", "ppo", "ppo-kl", "ppo-lp", "erm-mean", "erm-wco", "erm-uwo", "warm"];

    /// <summary>The paper's Table 2: (policy, opponent) pairs of EPPO on top of ODIN and InfoRM.</summary>
    public static readonly IReadOnlyList<(string Policy, string Opponent)> TableTwo =
        [("eppo", "odin"), ("eppo-odin", "odin"), ("eppo", "inform"), ("eppo-inform", "inform")];

    public static IReadOnlyList<string> Names => All.Select(m => m.Name).ToArray();

    /// <summary>The methods `eppo demo` runs when none are named.</summary>
    public static IReadOnlyList<string> DemoNames => All.Where(m => m.InDemo).Select(m => m.Name).ToArray();

    public static TrainingMethod? Find(string name) => All.FirstOrDefault(m => m.Name == name);

    /// <summary>A comma-separated list of method names as a CLI takes it; "all" is every method in table order.</summary>
    public static IReadOnlyList<string> ParseList(string list) => list.Trim() == "all"
        ? Names
        : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The method called <paramref name="name"/>; an unknown name is an error naming <paramref name="field"/> and listing the known ones.</summary>
    public static TrainingMethod Get(string name, string field = "method") =>
        Find(name) ?? throw new EppoException($"{field}: unknown method '{name}' (expected one of {string.Join(", ", Names)})");

    /// <summary>Report order: known methods in table order, then any others by name.</summary>
    public static IReadOnlyList<string> InReportOrder(IEnumerable<string> present)
    {
        var names = present.Distinct().ToArray();
        return Names.Where(names.Contains).Concat(names.Except(Names).Order(StringComparer.Ordinal)).ToArray();
    }
}
